"""Processing stored inbox items: one transaction per attempt, the traceback kept on the row,
exponential backoff for transient failures, and a retry cap after which the row is marked
failed (never silently dropped). What an item means is up to the `handle` function the node
passes in (node/federation/processing.py); this module owns only the queue's discipline."""

import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import InboxItem
from storage.repositories import queues
from storage.states import QueueState
from storage.types import utcnow

from ..errors import InvalidActivity, SignatureError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE_SECONDS = 120.0
# Failures that another attempt would repeat: the activity is malformed, inconsistent or
# refused (InvalidActivity, SignatureError), or its JSON has a shape our reading cannot take
# (the decoder's errors, and KeyError, TypeError, ValueError from reading it). A FetchError
# is a network failure (a peer down, a timeout) and is retried with backoff, as is anything
# else, until the cap.
PERMANENT = (InvalidActivity, SignatureError, json.JSONDecodeError, KeyError, TypeError, ValueError)

ItemHandler = Callable[[AsyncSession, InboxItem], Awaitable[None]]


def retry_time(attempts: int):
    if attempts >= MAX_ATTEMPTS:
        return None
    return utcnow() + timedelta(seconds=min(30 * 4 ** (attempts - 1), 6 * 3600))


async def process_item(handle: ItemHandler, sessionmaker: async_sessionmaker, item_id: int) -> bool:
    """Run one attempt; True when the item is done."""
    async with sessionmaker() as session:
        item = await session.get(InboxItem, item_id)
        if item is None or item.state != QueueState.QUEUED:
            return True
        activity_type = item.activity_type  # read now: a rollback expires the row
        try:
            await handle(session, item)
            await queues.settle_done(session, item)
            await session.commit()
            return True
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
            await session.rollback()
            error = traceback.format_exc()
            permanent = isinstance(exc, PERMANENT)
            log.info("inbox item %s (%s) failed: %s", item_id, activity_type, exc)
    async with sessionmaker() as session:
        item = await session.get(InboxItem, item_id)
        attempts = item.attempts + 1
        await queues.settle_retry(session, item, error=error,
                                  retry_at=None if permanent else retry_time(attempts))
        await session.commit()
    return False


async def process_due(handle: ItemHandler, sessionmaker: async_sessionmaker, *, limit: int = 50) -> int:
    """Claim and process a batch of due items in arrival order; returns how many were claimed."""
    async with sessionmaker() as session:
        items = await queues.claim(session, InboxItem, limit=limit, lease_seconds=LEASE_SECONDS)
    for item in items:
        await process_item(handle, sessionmaker, item.id)
    return len(items)
