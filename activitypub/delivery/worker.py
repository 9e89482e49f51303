"""The delivery loop: lease due deliveries, send them concurrently, and settle their outcomes
in groups, one transaction each (one commit per delivery would cap SQLite near 1,000/s)."""

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
SETTLE_EVERY = 200


async def _signers(sessionmaker: async_sessionmaker, ids: set[int]) -> dict[int, Account]:
    async with sessionmaker() as session:
        return {account_id: await session.get(Account, account_id) for account_id in ids}


async def _claim(sessionmaker: async_sessionmaker, limit: int) -> list[Delivery]:
    async with sessionmaker() as session:
        return await queues.claim(session, Delivery, limit=limit, lease_seconds=LEASE_SECONDS)


async def deliver_due(http: aiohttp.ClientSession, sessionmaker: async_sessionmaker, *, allow_private: bool,
                      limit: int = 200, concurrency: int = 64) -> int:
    """Send what is due as one flowing round; returns how many deliveries were attempted.

    The first claim is small (`concurrency` rows), so the first delivery of a fan-out leaves
    as soon as it is committed; later claims of `limit` rows are made while the sends of the
    earlier ones are still under way, so the pipe never drains between batches; outcomes are
    settled in groups of SETTLE_EVERY, one transaction each.
    """
    gate = asyncio.Semaphore(concurrency)
    signers: dict[int, Account] = {}
    running: set[asyncio.Task] = set()
    settled: list[tuple[Delivery, Outcome]] = []
    attempted, size, more = 0, concurrency, True

    async def attempt(row: Delivery) -> tuple[Delivery, Outcome]:
        signer = signers.get(row.signer_account_id)
        if signer is None or not signer.private_key_pem:
            return row, Outcome(Attempt.FINAL, error="the signing account no longer exists")
        async with gate:
            return row, await post_activity(http, row.inbox_uri, row.body.encode(), signer.public_key_id,
                                            signer.private_key_pem, allow_private=allow_private)

    while True:
        if more and len(running) < concurrency:
            batch = await _claim(sessionmaker, size)
            size, more = limit, len(batch) == size
            missing = {row.signer_account_id for row in batch} - signers.keys()
            if missing:
                signers.update(await _signers(sessionmaker, missing))
            running |= {asyncio.create_task(attempt(row)) for row in batch}
            attempted += len(batch)
        if not running:
            break
        done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        settled += [task.result() for task in done]
        if len(settled) >= SETTLE_EVERY or not running:
            await _settle(sessionmaker, [row for row, _ in settled], [outcome for _, outcome in settled])
            settled = []
    return attempted


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
