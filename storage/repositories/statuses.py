"""Batched reads behind the client API's Status and Account entities: authors with their
counters and what the viewer has favourited, bookmarked or boosted. Every read takes a list
of ids, so a page of statuses costs a handful of queries whatever its length."""

from sqlalchemy import bindparam, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, Bookmark, Favourite, Follow, Post
from .timelines import POST_COLUMNS
from ..states import FollowState, Visibility


async def get_accounts_by_ids(session: AsyncSession, account_ids) -> dict[int, Account]:
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    result = await session.execute(select(Account).where(Account.id.in_(ids)))
    return {account.id: account for account in result.scalars()}


STAT_NAMES = ("followers_count", "following_count", "statuses_count")


def _stats(account: Account) -> dict[str, int]:
    """The account's three counters: columns kept by database triggers on posts and follows
    (migration 0008), the one definition of them (direct messages not counted, as Mastodon)."""
    return {name: max(0, int(getattr(account, name) or 0)) for name in STAT_NAMES}


# Built once: pages of statuses and accounts run it on every request, and building the
# expression costs more than running it. The ids are an expanding parameter.
_IDS = bindparam("ids", expanding=True)
# populate_existing: the triggers change the counters behind the ORM's back, so an account
# already loaded in this session (the poster's own, say) is read again, not served stale.
_ACCOUNTS = select(Account).where(Account.id.in_(_IDS)).execution_options(populate_existing=True)


async def get_accounts_with_stats(session: AsyncSession, account_ids) -> dict[int, tuple[Account, dict[str, int]]]:
    """Each account with its three counters, in one query (a page of statuses needs both)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    result = await session.execute(_ACCOUNTS, {"ids": ids})
    return {account.id: (account, _stats(account)) for account in result.scalars()}


async def count_account_stats(session: AsyncSession, account_ids) -> dict[int, dict[str, int]]:
    """followers_count, following_count and statuses_count of each account, in one query."""
    ids = sorted(set(account_ids))
    counts = {account_id: dict.fromkeys(STAT_NAMES, 0) for account_id in ids}
    for account_id, (_account, stats) in (await get_accounts_with_stats(session, ids)).items():
        counts[account_id] = stats
    return counts


# What an Account entity shows, as plain rows (see get_author_rows).
AUTHOR_COLUMNS = (
    Account.id, Account.username, Account.domain, Account.display_name, Account.locked, Account.bot,
    Account.actor_type, Account.discoverable, Account.indexable, Account.created_at, Account.note, Account.url,
    Account.actor_uri, Account.avatar_uri, Account.header_uri, Account.fields,
    Account.followers_count, Account.following_count, Account.statuses_count,
)
_AUTHORS = select(*AUTHOR_COLUMNS).where(Account.id.in_(_IDS))


async def get_author_rows(session: AsyncSession, account_ids) -> dict:
    """The columns an Account entity shows, counters included, as plain rows by id: a page of
    statuses renders its authors from these without building ORM objects."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    return {row.id: row for row in (await session.execute(_AUTHORS, {"ids": ids})).all()}


_POST_ROWS = select(*POST_COLUMNS).where(Post.id.in_(_IDS))


async def get_post_rows(session: AsyncSession, post_ids) -> dict:
    """Posts as plain rows (timelines.POST_COLUMNS under their attribute names), by id: for rendering."""
    ids = sorted(set(post_ids))
    if not ids:
        return {}
    return {row.id: row for row in (await session.execute(_POST_ROWS, {"ids": ids})).all()}


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
