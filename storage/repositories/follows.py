"""Follow relationships."""

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, Follow
from ..states import FollowState


async def get_follow(session: AsyncSession, account_id: int, target_account_id: int) -> Follow | None:
    result = await session.execute(
        select(Follow).where(Follow.account_id == account_id, Follow.target_account_id == target_account_id)
    )
    return result.scalar_one_or_none()


async def get_follow_by_uri(session: AsyncSession, follow_uri: str) -> Follow | None:
    result = await session.execute(select(Follow).where(Follow.follow_uri == follow_uri))
    return result.scalar_one_or_none()


async def put_follow(session: AsyncSession, account_id: int, target_account_id: int, follow_uri: str,
                     state: str) -> Follow:
    """Create the follow, or refresh an existing one for the same pair (a re-sent Follow)."""
    follow = await get_follow(session, account_id, target_account_id)
    if follow is None:
        follow = Follow(account_id=account_id, target_account_id=target_account_id, follow_uri=follow_uri, state=state)
        session.add(follow)
    else:
        follow.follow_uri = follow_uri
        if follow.state != FollowState.ACCEPTED:
            follow.state = state
    await session.flush()
    return follow


async def delete_follow(session: AsyncSession, follow: Follow) -> None:
    await session.delete(follow)
    await session.flush()


async def delete_follows_of_account(session: AsyncSession, account_id: int) -> None:
    await session.execute(delete(Follow).where((Follow.account_id == account_id) | (Follow.target_account_id == account_id)))


async def get_local_follower_ids(session: AsyncSession, target_account_id: int) -> list[int]:
    """Local accounts with an accepted follow of the target: whose home feeds get its posts."""
    result = await session.execute(
        select(Follow.account_id)
        .join(Account, Account.id == Follow.account_id)
        .where(Follow.target_account_id == target_account_id, Follow.state == FollowState.ACCEPTED, Account.domain.is_(None))
    )
    return list(result.scalars())


async def get_local_follower_ids_of(session: AsyncSession, author_ids) -> dict[int, list[int]]:
    """`get_local_follower_ids` for several authors in one query."""
    ids = sorted(set(author_ids))
    found: dict[int, list[int]] = {author_id: [] for author_id in ids}
    if ids:
        result = await session.execute(
            select(Follow.target_account_id, Follow.account_id)
            .join(Account, Account.id == Follow.account_id)
            .where(Follow.target_account_id.in_(ids), Follow.state == FollowState.ACCEPTED,
                   Account.domain.is_(None))
        )
        for target_id, follower_id in result.all():
            found[target_id].append(follower_id)
    return found


async def list_followers(session: AsyncSession, target_account_id: int, *, state: FollowState = FollowState.ACCEPTED,
                         max_id: int | None = None, limit: int = 40) -> list[tuple[Follow, Account]]:
    query = (
        select(Follow, Account).join(Account, Account.id == Follow.account_id)
        .where(Follow.target_account_id == target_account_id, Follow.state == state)
        .order_by(Follow.id.desc()).limit(limit)
    )
    if max_id is not None:
        query = query.where(Follow.id < max_id)
    return [(f, a) for f, a in (await session.execute(query)).all()]


async def list_following(session: AsyncSession, account_id: int, *, max_id: int | None = None,
                         limit: int = 40) -> list[tuple[Follow, Account]]:
    query = (
        select(Follow, Account).join(Account, Account.id == Follow.target_account_id)
        .where(Follow.account_id == account_id, Follow.state == FollowState.ACCEPTED)
        .order_by(Follow.id.desc()).limit(limit)
    )
    if max_id is not None:
        query = query.where(Follow.id < max_id)
    return [(f, a) for f, a in (await session.execute(query)).all()]


async def count_followers(session: AsyncSession, account_id: int) -> int:
    result = await session.execute(
        select(func.count()).select_from(Follow).where(Follow.target_account_id == account_id, Follow.state == FollowState.ACCEPTED)
    )
    return int(result.scalar_one())


async def count_following(session: AsyncSession, account_id: int) -> int:
    result = await session.execute(
        select(func.count()).select_from(Follow).where(Follow.account_id == account_id, Follow.state == FollowState.ACCEPTED)
    )
    return int(result.scalar_one())
