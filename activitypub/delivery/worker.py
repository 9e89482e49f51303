"""The delivery loop: lease a batch of due deliveries, send them concurrently, and settle the
whole batch in one transaction (one commit per delivery would cap SQLite near 1,000/s)."""

import asyncio
import logging
from datetime import datetime

import aiohttp
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.models import Account, Delivery
from storage.repositories import queues
from storage.types import utcnow

from .sender import Attempt, Outcome, backoff, post_activity

log = logging.getLogger(__name__)

LEASE_SECONDS = 120.0


async def _signers(sessionmaker: async_sessionmaker, ids: set[int]) -> dict[int, Account]:
    async with sessionmaker() as session:
        return {account_id: await session.get(Account, account_id) for account_id in ids}


async def deliver_due(http: aiohttp.ClientSession, sessionmaker: async_sessionmaker, *, allow_private: bool,
                      limit: int = 200, concurrency: int = 64) -> int:
    """Send one batch; returns how many deliveries were attempted."""
    async with sessionmaker() as session:
        batch = await queues.claim(session, Delivery, limit=limit, lease_seconds=LEASE_SECONDS)
    if not batch:
        return 0
    signers = await _signers(sessionmaker, {row.signer_account_id for row in batch})
    gate = asyncio.Semaphore(concurrency)

    async def attempt(row: Delivery) -> Outcome:
        signer = signers.get(row.signer_account_id)
        if signer is None or not signer.private_key_pem:
            return Outcome(Attempt.FINAL, error="the signing account no longer exists")
        async with gate:
            return await post_activity(http, row.inbox_uri, row.body.encode(), signer.public_key_id,
                                       signer.private_key_pem, allow_private=allow_private)

    outcomes = await asyncio.gather(*(attempt(row) for row in batch))
    await _settle(sessionmaker, batch, outcomes)
    return len(batch)


async def _settle(sessionmaker: async_sessionmaker, batch: list[Delivery], outcomes: list[Outcome]) -> None:
    now = utcnow()
    gone_inboxes = []
    async with sessionmaker() as session:
        # One SELECT for the whole batch: a get() per row would also flush the previous
        # row's UPDATE on its own, one round trip each.
        result = await session.execute(select(Delivery).where(Delivery.id.in_([row.id for row in batch])))
        fresh = {row.id: row for row in result.scalars()}
        for row, outcome in zip(batch, outcomes):
            row = fresh.get(row.id)
            if row is None:
                continue  # removed while it was being sent
            if outcome.kind == Attempt.DONE:
                await queues.settle_done(session, row, last_status=outcome.status)
                continue
            retry_at = _retry_at(row.attempts + 1, outcome, now) if outcome.kind == Attempt.RETRY else None
            await queues.settle_retry(session, row, error=outcome.error, retry_at=retry_at,
                                      last_status=outcome.status)
            if outcome.kind == Attempt.GONE:
                gone_inboxes.append(row.inbox_uri)
        if gone_inboxes:
            # 410 on a personal inbox: the account was deleted on its server.
            await session.execute(
                update(Account).where(Account.inbox_uri.in_(gone_inboxes), Account.domain.is_not(None))
                .values(gone_at=now).execution_options(synchronize_session=False)
            )
        await session.commit()
    for row, outcome in zip(batch, outcomes):
        if outcome.kind != Attempt.DONE:
            log.info("delivery %s to %s: %s %s", row.id, row.inbox_uri, outcome.kind, outcome.error)


def _retry_at(attempts: int, outcome: Outcome, now: datetime) -> datetime | None:
    scheduled = backoff(attempts, now)
    if scheduled is None:
        return None
    if outcome.retry_after is not None and outcome.retry_after > scheduled:
        return outcome.retry_after
    return scheduled
