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

from ..errors import FetchError, InvalidActivity, SignatureError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# An exception no rule expects is a bug, or a shape of JSON our reading does not take yet.
# Another attempt helps only when it lost a race with another transaction, so it gets a
# few, not the network's eight; the traceback stays on the row and in the log at ERROR.
MAX_UNEXPECTED_ATTEMPTS = 3
LEASE_SECONDS = 120.0
# Failures that another attempt would repeat: the activity is malformed, inconsistent or
# refused (InvalidActivity, SignatureError), or its stored JSON does not decode.
PERMANENT = (InvalidActivity, SignatureError, json.JSONDecodeError)
# Failures of the network (a peer down, a timeout): retried with backoff up to MAX_ATTEMPTS.
TRANSIENT = (FetchError,)

ItemHandler = Callable[[AsyncSession, InboxItem], Awaitable[None]]


def retry_time(attempts: int, cap: int = MAX_ATTEMPTS):
    """When to try again after `attempts` failed attempts; None once `cap` is reached."""
    if attempts >= cap:
        return None
    return utcnow() + timedelta(seconds=min(30 * 4 ** (attempts - 1), 6 * 3600))


def attempt_cap(exc: Exception) -> int:
    """How many attempts an item that failed with `exc` gets in all."""
    if isinstance(exc, PERMANENT):
        return 1
    if isinstance(exc, TRANSIENT):
        return MAX_ATTEMPTS
    return MAX_UNEXPECTED_ATTEMPTS


def _log_failure(item_id: int, activity_type: str, attempt: int, exc: Exception) -> None:
    cap = attempt_cap(exc)
    outcome = "given up" if attempt >= cap else f"will retry ({attempt} of {cap} attempts)"
    if isinstance(exc, PERMANENT + TRANSIENT):
        log.info("inbox item %s (%s) failed, %s: %s", item_id, activity_type, outcome, exc)
    else:
        log.error("inbox item %s (%s) raised an unexpected %s, %s", item_id, activity_type,
                  type(exc).__name__, outcome, exc_info=exc)


async def process_item(handle: ItemHandler, sessionmaker: async_sessionmaker, item_id: int) -> bool:
    """Run one attempt; True when the item is done."""
    async with sessionmaker() as session:
        item = await session.get(InboxItem, item_id)
        if item is None or item.state != QueueState.QUEUED:
            return True
        # Read now: a rollback expires the row.
        activity_type, attempt = item.activity_type, item.attempts + 1
        try:
            await handle(session, item)
            await queues.settle_done(session, item)
            await session.commit()
            return True
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
            await session.rollback()
            error = traceback.format_exc()
            retry_at = retry_time(attempt, attempt_cap(exc))
            _log_failure(item_id, activity_type, attempt, exc)
    async with sessionmaker() as session:
        item = await session.get(InboxItem, item_id)
        await queues.settle_retry(session, item, error=error, retry_at=retry_at)
        await session.commit()
    return False


GroupHandler = Callable[[list[InboxItem]], Awaitable[set[int]]]


async def process_due(handle: ItemHandler, sessionmaker: async_sessionmaker, *, limit: int = 50,
                      handle_group: GroupHandler | None = None) -> int:
    """Claim and process a batch of due items in arrival order; returns how many were claimed.

    `handle_group`, when given, first takes the items it can do together (in one transaction
    that also settles them) and answers their ids; it is all or nothing, so when it fails
    every item is tried alone. The rest are processed one transaction each.
    """
    async with sessionmaker() as session:
        items = await queues.claim(session, InboxItem, limit=limit, lease_seconds=LEASE_SECONDS)
    done: set[int] = set()
    if handle_group is not None and len(items) > 1:
        try:
            done = await handle_group(items)
        except Exception:  # noqa: BLE001 - each item gets its own attempt, and its own record
            log.warning("a group of %d inbox items failed together; trying them one by one", len(items),
                        exc_info=True)
    for item in items:
        if item.id not in done:
            await process_item(handle, sessionmaker, item.id)
    return len(items)
