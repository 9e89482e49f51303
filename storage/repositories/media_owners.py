"""Whose a stored image file is, for serving it: a file whose every owner is suspended is
withheld (an identical image of another account is stored once, by content hash, and stays
served for that account)."""

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, MediaAttachment


async def media_withheld(session: AsyncSession, relative_path: str) -> bool:
    rows = await session.execute(
        select(Account.suspended_at).join(MediaAttachment, MediaAttachment.account_id == Account.id)
        .where(or_(MediaAttachment.file_path == relative_path, MediaAttachment.preview_path == relative_path))
        .limit(50))
    owners = list(rows.scalars())
    return bool(owners) and all(suspended_at is not None for suspended_at in owners)
