"""Batched reads behind the client API's Status entity, and the API's own rows: bookmarks,
edit history and idempotency keys. Every read takes a list of ids, so a page of statuses costs
a handful of queries whatever its length."""

from datetime import datetime

from sqlalchemy import bindparam, delete, func, literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, Bookmark, Favourite, Follow, IdempotencyKey, MediaAttachment, Post, PostEdit


async def get_accounts_by_ids(session: AsyncSession, account_ids) -> dict[int, Account]:
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    result = await session.execute(select(Account).where(Account.id.in_(ids)))
    return {account.id: account for account in result.scalars()}


STAT_NAMES = ("followers_count", "following_count", "statuses_count")


def _stat_columns() -> tuple:
    """followers_count, following_count and statuses_count as subqueries correlated to Account:
    the one definition of an account's counters."""
    followers = (select(func.count()).select_from(Follow)
                 .where(Follow.target_account_id == Account.id, Follow.state == "accepted"))
    following = (select(func.count()).select_from(Follow)
                 .where(Follow.account_id == Account.id, Follow.state == "accepted"))
    # Posts and boosts, direct messages left out (as Mastodon counts statuses).
    statuses = (select(func.count()).select_from(Post)
                .where(Post.account_id == Account.id, Post.visibility != "direct"))
    return tuple(query.scalar_subquery() for query in (followers, following, statuses))


# Built once: pages of statuses and accounts run them on every request, and building the
# expressions costs more than running them. The ids are an expanding parameter.
_IDS = bindparam("ids", expanding=True)
_ACCOUNTS_WITH_STATS = select(Account, *_stat_columns()).where(Account.id.in_(_IDS))
_STATS = select(Account.id, *_stat_columns()).where(Account.id.in_(_IDS))


async def get_accounts_with_stats(session: AsyncSession, account_ids) -> dict[int, tuple[Account, dict[str, int]]]:
    """Each account with its three counters, in one query (a page of statuses needs both)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    result = await session.execute(_ACCOUNTS_WITH_STATS, {"ids": ids})
    return {account.id: (account, dict(zip(STAT_NAMES, map(int, counts))))
            for account, *counts in result.all()}


async def count_account_stats(session: AsyncSession, account_ids) -> dict[int, dict[str, int]]:
    """followers_count, following_count and statuses_count of each account, in one query."""
    ids = sorted(set(account_ids))
    counts = {account_id: dict.fromkeys(STAT_NAMES, 0) for account_id in ids}
    if ids:
        for account_id, *values in (await session.execute(_STATS, {"ids": ids})).all():
            counts[account_id] = dict(zip(STAT_NAMES, map(int, values)))
    return counts


def _viewer_marks_statement():
    viewer, ids = bindparam("viewer"), bindparam("ids", expanding=True)
    return union_all(
        select(literal("favourited"), Favourite.post_id)
        .where(Favourite.account_id == viewer, Favourite.post_id.in_(ids)),
        select(literal("bookmarked"), Bookmark.post_id)
        .where(Bookmark.account_id == viewer, Bookmark.post_id.in_(ids)),
        select(literal("reblogged"), Post.reblog_of_id)
        .where(Post.account_id == viewer, Post.reblog_of_id.in_(ids)),
    )


_VIEWER_MARKS = _viewer_marks_statement()


async def get_viewer_marks(session: AsyncSession, viewer_id: int, post_ids) -> dict[str, set[int]]:
    """Which of the posts the viewer has favourited, bookmarked and boosted."""
    ids = sorted(set(post_ids))
    marks: dict[str, set[int]] = {"favourited": set(), "bookmarked": set(), "reblogged": set()}
    if not ids:
        return marks
    for name, post_id in (await session.execute(_VIEWER_MARKS, {"viewer": viewer_id, "ids": ids})).all():
        marks[name].add(post_id)
    return marks


# --- bookmarks -------------------------------------------------------------------------

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


# --- edit history ----------------------------------------------------------------------

async def list_post_edits(session: AsyncSession, post_id: int) -> list[PostEdit]:
    result = await session.execute(select(PostEdit).where(PostEdit.post_id == post_id).order_by(PostEdit.id))
    return list(result.scalars())


def put_post_edit(session: AsyncSession, post: Post, media: list, created_at: datetime) -> PostEdit:
    row = PostEdit(post_id=post.id, content=post.content, spoiler_text=post.spoiler_text or "",
                   sensitive=bool(post.sensitive), created_at=created_at,
                   media=[{"id": item.id, "description": item.description or ""} for item in media])
    session.add(row)
    return row


# --- idempotency keys --------------------------------------------------------------------

async def get_idempotent_post_id(session: AsyncSession, account_id: int, key: str, since: datetime) -> int | None:
    result = await session.execute(
        select(IdempotencyKey.post_id)
        .where(IdempotencyKey.account_id == account_id, IdempotencyKey.key == key, IdempotencyKey.created_at >= since)
    )
    return result.scalar_one_or_none()


async def put_idempotency_key(session: AsyncSession, account_id: int, key: str, post_id: int,
                              expired_before: datetime) -> None:
    """Remember the key for the post, dropping the account's expired keys (the same key included)."""
    await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.account_id == account_id,
                                     (IdempotencyKey.created_at < expired_before) | (IdempotencyKey.key == key))
    )
    session.add(IdempotencyKey(account_id=account_id, key=key, post_id=post_id))


# --- threads and media -------------------------------------------------------------------

async def list_replies(session: AsyncSession, parent_ids: list[int], limit: int) -> list[Post]:
    if not parent_ids:
        return []
    result = await session.execute(
        select(Post).where(Post.in_reply_to_id.in_(parent_ids)).order_by(Post.id).limit(limit)
    )
    return list(result.scalars())


async def detach_media(session: AsyncSession, post_id: int) -> None:
    """Give a post's images back to their owner as unattached uploads (delete-and-redraft reuses them)."""
    await session.execute(
        update(MediaAttachment).where(MediaAttachment.post_id == post_id).values(post_id=None)
        .execution_options(synchronize_session=False)
    )
