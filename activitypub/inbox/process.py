"""Processing stored inbox items: one transaction per attempt, the traceback kept on the row,
exponential backoff for transient failures, and a retry cap after which the row is marked
failed (never silently dropped)."""

import json
import logging
import traceback
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import InboxItem
from storage.repositories import queues
from storage.types import utcnow

from ..errors import FetchError, InvalidActivity, SignatureError
from .registry import InboxContext, handler_for

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE_SECONDS = 120.0
# Errors that retrying cannot fix: the activity itself is wrong.
PERMANENT = (InvalidActivity, SignatureError, json.JSONDecodeError, KeyError, TypeError, ValueError)


def retry_time(attempts: int):
    if attempts >= MAX_ATTEMPTS:
        return None
    return utcnow() + timedelta(seconds=min(30 * 4 ** (attempts - 1), 6 * 3600))


async def handle_item(ctx: InboxContext, session: AsyncSession, item: InboxItem) -> None:
    from ..resolver import resolve_actor

    activity = json.loads(item.body)
    actor = await resolve_actor(session, ctx.fetcher, item.actor_uri, local_domain=ctx.local_domain)
    handler = handler_for(item.activity_type)
    if handler is not None:
        await handler(ctx, session, activity, actor)


async def process_item(ctx: InboxContext, sessionmaker: async_sessionmaker, item_id: int) -> bool:
    """Run one attempt; True when the item is done."""
    async with sessionmaker() as session:
        item = await session.get(InboxItem, item_id)
        if item is None or item.state != "queued":
            return True
        try:
            await handle_item(ctx, session, item)
            await queues.settle_done(session, item)
            await session.commit()
            return True
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
            await session.rollback()
            error = traceback.format_exc()
            permanent = isinstance(exc, PERMANENT) and not isinstance(exc, FetchError)
            log.info("inbox item %s (%s) failed: %s", item_id, item.activity_type, exc)
    ctx.events.clear()
    async with sessionmaker() as session:
        item = await session.get(InboxItem, item_id)
        attempts = item.attempts + 1
        await queues.settle_retry(session, item, error=error,
                                  retry_at=None if permanent else retry_time(attempts))
        await session.commit()
    return False


async def process_due(ctx_factory, sessionmaker: async_sessionmaker, *, limit: int = 50, on_events=None) -> int:
    """Claim and process a batch of due items in arrival order; returns how many were claimed."""
    async with sessionmaker() as session:
        items = await queues.claim(session, InboxItem, limit=limit, lease_seconds=LEASE_SECONDS)
    for item in items:
        ctx = ctx_factory()
        done = await process_item(ctx, sessionmaker, item.id)
        if done and on_events is not None and ctx.events:
            await on_events(ctx.events)
    return len(items)
