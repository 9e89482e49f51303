"""Counts shown on accounts and on the instance: follow requests per account, known servers.
(An account's own counters are in statuses.count_account_stats.)"""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, Follow
from ..states import FollowState


async def count_known_domains(session: AsyncSession) -> int:
    result = await session.execute(
        select(func.count(func.distinct(func.lower(Account.domain)))).where(Account.domain.is_not(None))
    )
    return int(result.scalar_one())


async def count_follow_requests(session: AsyncSession, account_id: int) -> int:
    """Follows of the account that wait for its answer."""
    result = await session.execute(
        select(func.count()).select_from(Follow)
        .where(Follow.target_account_id == account_id, Follow.state == FollowState.REQUESTED)
    )
    return int(result.scalar_one())
