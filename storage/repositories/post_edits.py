"""The versions of edited posts, oldest first (`/api/v1/statuses/:id/history`)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Post, PostEdit


async def list_post_edits(session: AsyncSession, post_id: int) -> list[PostEdit]:
    result = await session.execute(select(PostEdit).where(PostEdit.post_id == post_id).order_by(PostEdit.id))
    return list(result.scalars())


def put_post_edit(session: AsyncSession, post: Post, media: list, created_at: datetime) -> PostEdit:
    row = PostEdit(post_id=post.id, content=post.content, spoiler_text=post.spoiler_text or "",
                   sensitive=bool(post.sensitive), created_at=created_at,
                   media=[{"id": item.id, "description": item.description or ""} for item in media])
    session.add(row)
    return row
