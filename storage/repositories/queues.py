"""Claiming and settling rows of the durable queues (inbox items and deliveries).

A claim is a lease: one UPDATE stamps a batch of due rows with a fresh token and a
`locked_until`, then the rows carrying that token are read back. On PostgreSQL, concurrent
workers re-check the WHERE clause after a competing UPDATE commits, so a row is never leased
twice; a worker that dies simply lets its lease expire and the row is retried.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Delivery, InboxItem
from ..types import utcnow
from ..states import QueueState


# A session that queued rows with a Core INSERT (which flush events never see) says so here,
# so the node's commit hook wakes the workers all the same (node/committed_changes.py).
QUEUED_WORK_KEY = "muralist_queued_work"


def mark_queued(session: AsyncSession) -> None:
    session.info[QUEUED_WORK_KEY] = True


async def claim(session: AsyncSession, model, *, limit: int, lease_seconds: float, now: datetime | None = None,
                extra_filter=None) -> list:
    """Lease up to `limit` due rows of `model` and return them (committed, so the lease holds)."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    due = (
        select(model.id)
        .where(model.state == QueueState.QUEUED, model.next_attempt_at <= now)
        .where(or_(model.locked_until.is_(None), model.locked_until < now))
        .order_by(model.next_attempt_at, model.id)
        .limit(limit)
    )
    if extra_filter is not None:
        due = due.where(extra_filter)
    await session.execute(
        update(model)
        .where(model.id.in_(due.scalar_subquery()))
        .where(or_(model.locked_until.is_(None), model.locked_until < now))
        .values(locked_until=now + timedelta(seconds=lease_seconds), lease_token=token)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    rows = await session.execute(select(model).where(model.lease_token == token).order_by(model.id))
    return list(rows.scalars())


async def settle_done(session: AsyncSession, row, *, last_status: int | None = None) -> None:
    row.state = QueueState.DONE
    row.attempts += 1
    row.locked_until = None
    row.lease_token = None
    row.last_error = None
    row.finished_at = utcnow()
    if isinstance(row, Delivery):
        row.last_status = last_status


async def settle_done_many(session: AsyncSession, model, row_ids: list[int], lease_tokens: dict[int, str]) -> int:
    """settle_done for several leased rows in one statement each lease; rows whose lease was
    taken over meanwhile are left alone. Returns how many were settled."""
    settled = 0
    now = utcnow()
    by_token: dict[str, list[int]] = {}
    for row_id in row_ids:
        by_token.setdefault(lease_tokens[row_id], []).append(row_id)
    for token, ids in by_token.items():
        result = await session.execute(
            update(model).where(model.id.in_(ids), model.lease_token == token, model.state == QueueState.QUEUED)
            .values(state=QueueState.DONE, attempts=model.attempts + 1, locked_until=None, lease_token=None,
                    last_error=None, finished_at=now).execution_options(synchronize_session=False))
        settled += result.rowcount
    return settled


async def settle_retry(session: AsyncSession, row, *, error: str, retry_at: datetime | None,
                       last_status: int | None = None) -> None:
    """Record a failed attempt; with no `retry_at` (cap reached or final answer) the row fails."""
    row.attempts += 1
    row.locked_until = None
    row.lease_token = None
    row.last_error = error[-8000:]
    if isinstance(row, Delivery):
        row.last_status = last_status
    if retry_at is None:
        row.state = QueueState.FAILED
        row.finished_at = utcnow()
    else:
        row.next_attempt_at = retry_at


async def count_pending(session: AsyncSession, model) -> int:
    from sqlalchemy import func

    result = await session.execute(select(func.count()).select_from(model).where(model.state == QueueState.QUEUED))
    return int(result.scalar_one())


async def next_due_at(session: AsyncSession, model) -> datetime | None:
    from sqlalchemy import func

    result = await session.execute(select(func.min(model.next_attempt_at)).where(model.state == QueueState.QUEUED))
    return result.scalar_one_or_none()


__all__ = ["Delivery", "InboxItem", "claim", "count_pending", "next_due_at", "settle_done", "settle_retry"]
