"""Polls and their votes: lookups by post, a voter's own choices, recounting, and the polls
due to close."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, Poll, PollVote


async def get_poll(session: AsyncSession, poll_id: int) -> Poll | None:
    return await session.get(Poll, poll_id)


async def get_poll_by_post_id(session: AsyncSession, post_id: int) -> Poll | None:
    result = await session.execute(select(Poll).where(Poll.post_id == post_id))
    return result.scalar_one_or_none()


async def get_polls_by_post_ids(session: AsyncSession, post_ids) -> dict[int, Poll]:
    ids = list(set(post_ids))
    if not ids:
        return {}
    result = await session.execute(select(Poll).where(Poll.post_id.in_(ids)))
    return {poll.post_id: poll for poll in result.scalars()}


async def get_own_choices(session: AsyncSession, account_id: int, poll_ids) -> dict[int, list[int]]:
    """The choices `account_id` made in each poll, in option order."""
    ids = list(set(poll_ids))
    found: dict[int, list[int]] = {}
    if not ids:
        return found
    result = await session.execute(
        select(PollVote.poll_id, PollVote.choice)
        .where(PollVote.account_id == account_id, PollVote.poll_id.in_(ids)).order_by(PollVote.choice))
    for poll_id, choice in result.all():
        found.setdefault(poll_id, []).append(choice)
    return found


async def recount(session: AsyncSession, poll: Poll) -> None:
    """A local poll's counts and voters from its votes."""
    await session.flush()
    result = await session.execute(
        select(PollVote.choice, func.count()).where(PollVote.poll_id == poll.id).group_by(PollVote.choice))
    per_choice = dict(result.all())
    poll.votes_counts = [int(per_choice.get(index, 0)) for index in range(len(poll.options))]
    voters = await session.execute(select(func.count(func.distinct(PollVote.account_id)))
                                   .where(PollVote.poll_id == poll.id))
    poll.voters_count = int(voters.scalar_one())


async def list_voter_ids(session: AsyncSession, poll_id: int) -> list[int]:
    result = await session.execute(select(PollVote.account_id).where(PollVote.poll_id == poll_id).distinct())
    return list(result.scalars())


async def list_due_polls(session: AsyncSession, now: datetime, limit: int) -> list[Poll]:
    result = await session.execute(
        select(Poll).where(Poll.closed_at.is_(None), Poll.expires_at.is_not(None), Poll.expires_at <= now)
        .order_by(Poll.expires_at).limit(limit))
    return list(result.scalars())


async def list_remote_voters(session: AsyncSession, poll_id: int) -> list[Account]:
    """The remote accounts that voted: their servers hear of the poll's new counts."""
    result = await session.execute(
        select(Account).where(Account.domain.is_not(None),
                              Account.id.in_(select(PollVote.account_id).where(PollVote.poll_id == poll_id))))
    return list(result.scalars())
