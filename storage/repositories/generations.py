"""Generation jobs: creating them, a user's history, the rate-limit window, and the lease-based
claim and settling that workers use (the same pattern as storage/repositories/queues.py).

A claim stamps due rows with a fresh lease token in one UPDATE and reads them back. Due means
queued and past `next_attempt_at`, or running with an expired lease: a worker that died (or a
node restarted) mid-job lets its lease run out and the job is drawn again. Settling is an UPDATE
guarded by the token, so a worker whose lease was taken over cannot overwrite the new owner.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import GenerationJob
from ..states import GenerationState
from ..types import utcnow


async def put_generation_job(session: AsyncSession, job: GenerationJob) -> GenerationJob:
    session.add(job)
    await session.flush()
    return job


async def get_generation_job_by_id(session: AsyncSession, job_id: int) -> GenerationJob | None:
    return await session.get(GenerationJob, job_id)


async def list_generation_jobs(session: AsyncSession, account_id: int, *, max_id: int | None = None,
                               since_id: int | None = None, min_id: int | None = None,
                               limit: int = 20) -> list[GenerationJob]:
    """One account's jobs, newest first; `min_id` takes the slice just above it (Mastodon paging)."""
    query = select(GenerationJob).where(GenerationJob.account_id == account_id)
    if max_id is not None:
        query = query.where(GenerationJob.id < max_id)
    if since_id is not None:
        query = query.where(GenerationJob.id > since_id)
    if min_id is not None:
        rows = await session.execute(query.where(GenerationJob.id > min_id).order_by(GenerationJob.id.asc()).limit(limit))
        return list(reversed(rows.scalars().all()))
    rows = await session.execute(query.order_by(GenerationJob.id.desc()).limit(limit))
    return list(rows.scalars())


async def get_recent_job_times(session: AsyncSession, account_id: int, since: datetime, limit: int) -> list[datetime]:
    """Creation times of the account's newest jobs made after `since` (at most `limit`), newest first."""
    rows = await session.execute(
        select(GenerationJob.created_at)
        .where(GenerationJob.account_id == account_id, GenerationJob.created_at > since)
        .order_by(GenerationJob.id.desc()).limit(limit)
    )
    return list(rows.scalars())


def _due(now: datetime):
    lease_free = or_(GenerationJob.locked_until.is_(None), GenerationJob.locked_until < now)
    queued = and_(GenerationJob.state == GenerationState.QUEUED, GenerationJob.next_attempt_at <= now, lease_free)
    abandoned = and_(GenerationJob.state == GenerationState.RUNNING, GenerationJob.locked_until < now)
    return or_(queued, abandoned)


async def claim_generation_jobs(session: AsyncSession, *, limit: int, lease_seconds: float,
                                now: datetime | None = None) -> list[GenerationJob]:
    """Lease up to `limit` due jobs, mark them running and return them (committed)."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    due = select(GenerationJob.id).where(_due(now)).order_by(GenerationJob.next_attempt_at, GenerationJob.id)
    await session.execute(
        update(GenerationJob)
        .where(GenerationJob.id.in_(due.limit(limit).scalar_subquery()))
        # Re-checked here: on PostgreSQL a competing claim that committed first makes this false.
        .where(_due(now))
        .values(state=GenerationState.RUNNING, locked_until=now + timedelta(seconds=lease_seconds), lease_token=token,
                attempts=GenerationJob.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    rows = await session.execute(
        select(GenerationJob).where(GenerationJob.lease_token == token).order_by(GenerationJob.id)
    )
    return list(rows.scalars())


async def _settle(session: AsyncSession, job_id: int, token: str, **values) -> bool:
    result = await session.execute(
        update(GenerationJob)
        .where(GenerationJob.id == job_id, GenerationJob.lease_token == token, GenerationJob.state == GenerationState.RUNNING)
        .values(locked_until=None, lease_token=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def extend_job_leases(session: AsyncSession, job_ids: list[int], token: str, until: datetime) -> int:
    """Hold on to the running jobs of one claim (one lease token) until `until`; answers how
    many are still ours (a job whose lease another worker took is left alone)."""
    result = await session.execute(
        update(GenerationJob)
        .where(GenerationJob.id.in_(job_ids), GenerationJob.lease_token == token, GenerationJob.state == GenerationState.RUNNING)
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return result.rowcount


async def update_job_done(session: AsyncSession, job_id: int, token: str, media_attachment_id: int) -> bool:
    """Mark a leased job done; False when the lease was lost (the caller then rolls back)."""
    return await _settle(session, job_id, token, state=GenerationState.DONE, media_attachment_id=media_attachment_id,
                         error=None, finished_at=utcnow())


async def update_job_failed(session: AsyncSession, job_id: int, token: str, error: str) -> bool:
    return await _settle(session, job_id, token, state=GenerationState.FAILED, error=error[:4000], finished_at=utcnow())


async def update_job_retry(session: AsyncSession, job_id: int, token: str, error: str, retry_at: datetime) -> bool:
    """Put a leased job back in the queue until `retry_at`, keeping why the attempt failed."""
    return await _settle(session, job_id, token, state=GenerationState.QUEUED, error=error[:4000], next_attempt_at=retry_at)


async def count_pending_jobs(session: AsyncSession) -> int:
    result = await session.execute(
        select(func.count()).select_from(GenerationJob).where(GenerationJob.state.in_((GenerationState.QUEUED, GenerationState.RUNNING)))
    )
    return int(result.scalar_one())
