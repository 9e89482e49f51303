"""Batched reads behind the client API's Status and Account entities: authors with their
counters and what the viewer has favourited, bookmarked or boosted. Every read takes a list
of ids, so a page of statuses costs a handful of queries whatever its length."""

from sqlalchemy import bindparam, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, Bookmark, Favourite, Follow, Post
from ..states import FollowState, Visibility


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
                 .where(Follow.target_account_id == Account.id, Follow.state == FollowState.ACCEPTED))
    following = (select(func.count()).select_from(Follow)
                 .where(Follow.account_id == Account.id, Follow.state == FollowState.ACCEPTED))
    # Posts and boosts, direct messages left out (as Mastodon counts statuses).
    statuses = (select(func.count()).select_from(Post)
                .where(Post.account_id == Account.id, Post.visibility != Visibility.DIRECT))
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
