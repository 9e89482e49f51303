"""Counts shown on accounts and on the instance: posts and follow requests per account, known servers."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, Follow, Post


async def count_posts(session: AsyncSession, account_id: int) -> int:
    """Statuses on the profile: posts and boosts, direct messages left out (as Mastodon counts)."""
    result = await session.execute(
        select(func.count()).select_from(Post).where(Post.account_id == account_id, Post.visibility != "direct")
    )
    return int(result.scalar_one())


async def count_known_domains(session: AsyncSession) -> int:
    result = await session.execute(
        select(func.count(func.distinct(func.lower(Account.domain)))).where(Account.domain.is_not(None))
    )
    return int(result.scalar_one())


async def count_follow_requests(session: AsyncSession, account_id: int) -> int:
    """Follows of the account that wait for its answer."""
    result = await session.execute(
        select(func.count()).select_from(Follow)
        .where(Follow.target_account_id == account_id, Follow.state == "requested")
    )
    return int(result.scalar_one())
