"""Bookmarks: posts a local account saved for later (private, never federated)."""

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Bookmark


async def get_bookmark(session: AsyncSession, account_id: int, post_id: int) -> Bookmark | None:
    result = await session.execute(
        select(Bookmark).where(Bookmark.account_id == account_id, Bookmark.post_id == post_id)
    )
    return result.scalar_one_or_none()


async def put_bookmark(session: AsyncSession, account_id: int, post_id: int) -> Bookmark:
    """Bookmark a post; bookmarking twice keeps the first row."""
    row = await get_bookmark(session, account_id, post_id)
    if row is None:
        row = Bookmark(account_id=account_id, post_id=post_id)
        session.add(row)
        await session.flush()
    return row


async def delete_bookmark(session: AsyncSession, account_id: int, post_id: int) -> None:
    await session.execute(delete(Bookmark).where(Bookmark.account_id == account_id, Bookmark.post_id == post_id))
