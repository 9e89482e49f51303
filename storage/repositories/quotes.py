"""Quotes: which post quotes which, and where each quote's consent stands."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Quote
from ..states import QuoteState
from ..types import utcnow


async def get_quote_by_post_id(session: AsyncSession, post_id: int) -> Quote | None:
    result = await session.execute(select(Quote).where(Quote.post_id == post_id))
    return result.scalar_one_or_none()


async def get_quote_by_request_uri(session: AsyncSession, request_uri: str) -> Quote | None:
    result = await session.execute(select(Quote).where(Quote.request_uri == request_uri).limit(1))
    return result.scalar_one_or_none()


async def get_quote_by_authorization_uri(session: AsyncSession, authorization_uri: str) -> Quote | None:
    result = await session.execute(select(Quote).where(Quote.authorization_uri == authorization_uri).limit(1))
    return result.scalar_one_or_none()


async def get_quotes_by_post_ids(session: AsyncSession, post_ids) -> dict[int, Quote]:
    """The quote row of each quoting post, for a page of statuses."""
    ids = sorted(set(post_ids))
    if not ids:
        return {}
    result = await session.execute(select(Quote).where(Quote.post_id.in_(ids)))
    return {quote.post_id: quote for quote in result.scalars()}


def quotes_of_query(quoted_post_id: int, states=(QuoteState.ACCEPTED,)):
    """A select of (Quote.id, Quote) for a page of one post's quotes, keyed by the quote's id."""
    return (select(Quote.id, Quote).where(Quote.quoted_post_id == quoted_post_id, Quote.state.in_(states)),
            Quote.id)


async def list_accepted_quotes_of(session: AsyncSession, quoted_post_id: int) -> list[Quote]:
    result = await session.execute(select(Quote).where(Quote.quoted_post_id == quoted_post_id,
                                                       Quote.state == QuoteState.ACCEPTED))
    return list(result.scalars())


async def mark_source_deleted(session: AsyncSession, quoted_post_id: int) -> None:
    """The quoted post is gone: its quotes stay, shown as quoting a deleted post."""
    await session.execute(
        update(Quote).where(Quote.quoted_post_id == quoted_post_id,
                            Quote.state.in_((QuoteState.ACCEPTED, QuoteState.PENDING)))
        .values(state=QuoteState.DELETED, updated_at=utcnow()).execution_options(synchronize_session=False)
    )
