"""Pinned posts: a local author's pins and the ones read from remote actors' `featured`
collections."""

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import PinnedPost, Post


async def get_pin(session: AsyncSession, account_id: int, post_id: int) -> PinnedPost | None:
    result = await session.execute(
        select(PinnedPost).where(PinnedPost.account_id == account_id, PinnedPost.post_id == post_id))
    return result.scalar_one_or_none()


async def count_pins(session: AsyncSession, account_id: int) -> int:
    result = await session.execute(select(func.count()).select_from(PinnedPost)
                                   .where(PinnedPost.account_id == account_id))
    return int(result.scalar_one())


async def put_pin(session: AsyncSession, account_id: int, post_id: int) -> PinnedPost:
    pin = await get_pin(session, account_id, post_id)
    if pin is None:
        pin = PinnedPost(account_id=account_id, post_id=post_id)
        session.add(pin)
        await session.flush()
    return pin


async def delete_pin(session: AsyncSession, account_id: int, post_id: int) -> None:
    await session.execute(delete(PinnedPost).where(PinnedPost.account_id == account_id,
                                                   PinnedPost.post_id == post_id))


async def replace_pins(session: AsyncSession, account_id: int, post_ids: list[int]) -> None:
    """Make `post_ids` the account's pins (a remote actor's featured collection, read anew)."""
    await session.execute(delete(PinnedPost).where(PinnedPost.account_id == account_id))
    session.add_all(PinnedPost(account_id=account_id, post_id=post_id) for post_id in dict.fromkeys(post_ids))
    await session.flush()


async def list_pinned_posts(session: AsyncSession, account_id: int) -> list[Post]:
    """The account's own pinned posts, most recently pinned first."""
    result = await session.execute(
        select(Post).join(PinnedPost, PinnedPost.post_id == Post.id)
        .where(PinnedPost.account_id == account_id, Post.account_id == account_id)
        .order_by(PinnedPost.id.desc()))
    return list(result.scalars())


async def get_pinned_ids(session: AsyncSession, account_id: int, post_ids) -> set[int]:
    ids = list(set(post_ids))
    if not ids:
        return set()
    result = await session.execute(select(PinnedPost.post_id).where(PinnedPost.account_id == account_id,
                                                                   PinnedPost.post_id.in_(ids)))
    return set(result.scalars())
