"""The selects behind the web pages' image grids: posts with images (the local gallery, a
tag, a profile), the reactions of recent days that rank the explore page, and a post's remixes.
Every list is newest first and bounded; paging goes below a `max_id`."""

from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Favourite, MediaAttachment, Post, Quote
from ..states import QuoteState, Visibility
from .timelines import has_tag


def _with_images():
    return exists().where(MediaAttachment.post_id == Post.id)


async def list_gallery_posts(session: AsyncSession, *, local: bool | None = None, tag: str | None = None,
                             account_id: int | None = None, visibilities: tuple[str, ...] = (Visibility.PUBLIC,),
                             max_id: int | None = None, limit: int = 24) -> list[Post]:
    """Original posts with at least one image (no boosts, no replies to others), newest first."""
    query = select(Post).where(
        Post.visibility.in_(visibilities), Post.reblog_of_id.is_(None), _with_images(),
        or_(Post.in_reply_to_id.is_(None), Post.in_reply_to_account_id == Post.account_id),
    )
    if local is not None:
        query = query.where(Post.local.is_(local))
    if tag is not None:
        query = query.where(has_tag(tag))
    if account_id is not None:
        query = query.where(Post.account_id == account_id)
    if max_id is not None:
        query = query.where(Post.id < max_id)
    return list((await session.execute(query.order_by(Post.id.desc()).limit(limit))).scalars())


async def list_recent_reactions(session: AsyncSession, since: datetime, limit: int) -> dict[str, list[tuple[int, datetime]]]:
    """(post id, when) of the newest likes, boosts and accepted remixes since `since`, at most
    `limit` of each kind: what the explore page ranks by."""
    statements = {
        "likes": select(Favourite.post_id, Favourite.created_at).where(Favourite.created_at >= since)
        .order_by(Favourite.id.desc()),
        "boosts": select(Post.reblog_of_id, Post.created_at).where(Post.reblog_of_id.is_not(None),
                                                                   Post.created_at >= since).order_by(Post.id.desc()),
        "remixes": select(Quote.quoted_post_id, Quote.created_at).where(
            Quote.quoted_post_id.is_not(None), Quote.state == QuoteState.ACCEPTED, Quote.created_at >= since,
        ).order_by(Quote.id.desc()),
    }
    return {kind: [tuple(row) for row in (await session.execute(statement.limit(limit))).all()]
            for kind, statement in statements.items()}


async def list_remixes(session: AsyncSession, quoted_post_id: int, limit: int = 24) -> list[Post]:
    """The posts that quote (remix) a post with its consent, newest first."""
    query = (select(Post).join(Quote, Quote.post_id == Post.id)
             .where(Quote.quoted_post_id == quoted_post_id, Quote.state == QuoteState.ACCEPTED)
             .order_by(Post.id.desc()).limit(limit))
    return list((await session.execute(query)).scalars())
