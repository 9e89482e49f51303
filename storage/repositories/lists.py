"""Lists of accounts: the owner's lists, their members, the selects behind a list timeline,
and the rule that keeps an exclusive list's members out of the owner's home feed."""

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import NotFound
from ..models import Account, Follow, HomeFeedEntry, List, ListAccount, Post
from ..states import FollowState, RepliesPolicy, Visibility


async def list_lists(session: AsyncSession, account_id: int) -> list[List]:
    result = await session.execute(select(List).where(List.account_id == account_id).order_by(List.id))
    return list(result.scalars())


async def count_lists(session: AsyncSession, account_id: int) -> int:
    return int((await session.execute(
        select(func.count()).select_from(List).where(List.account_id == account_id))).scalar_one())


async def get_list(session: AsyncSession, account_id: int, list_id: int) -> List:
    """One of the account's lists; another account's list is as unknown as a missing one."""
    found = await session.get(List, list_id)
    if found is None or found.account_id != account_id:
        raise NotFound(f"list {list_id} not found")
    return found


async def get_lists_by_ids(session: AsyncSession, list_ids) -> dict[int, List]:
    ids = sorted(set(list_ids))
    if not ids:
        return {}
    return {row.id: row for row in (await session.execute(select(List).where(List.id.in_(ids)))).scalars()}


async def delete_list(session: AsyncSession, found: List) -> None:
    await session.execute(delete(ListAccount).where(ListAccount.list_id == found.id))
    await session.delete(found)
    await session.flush()


def members_query(list_id: int):
    """A select of (account id, Account) of one list's members, keyed by account id."""
    query = (select(Account.id, Account).join(ListAccount, ListAccount.account_id == Account.id)
             .where(ListAccount.list_id == list_id))
    return query, Account.id


async def get_member_ids(session: AsyncSession, list_id: int) -> set[int]:
    result = await session.execute(select(ListAccount.account_id).where(ListAccount.list_id == list_id))
    return set(result.scalars())


async def count_members(session: AsyncSession, list_id: int) -> int:
    return int((await session.execute(
        select(func.count()).select_from(ListAccount).where(ListAccount.list_id == list_id))).scalar_one())


async def get_followed_ids(session: AsyncSession, account_id: int, target_ids) -> set[int]:
    """Those of `target_ids` the account follows or has asked to follow."""
    ids = sorted(set(target_ids))
    if not ids:
        return set()
    result = await session.execute(select(Follow.target_account_id).where(
        Follow.account_id == account_id, Follow.target_account_id.in_(ids)))
    return set(result.scalars())


def add_members(session: AsyncSession, list_id: int, account_ids) -> None:
    session.add_all([ListAccount(list_id=list_id, account_id=account_id) for account_id in sorted(set(account_ids))])


async def remove_members(session: AsyncSession, list_id: int, account_ids) -> None:
    await session.execute(delete(ListAccount).where(
        ListAccount.list_id == list_id, ListAccount.account_id.in_(sorted(set(account_ids)))))


async def remove_from_owner_lists(session: AsyncSession, owner_id: int, account_id: int) -> None:
    """Take an account out of every list of `owner_id` (after an unfollow, as Mastodon does)."""
    owned = select(List.id).where(List.account_id == owner_id).scalar_subquery()
    await session.execute(delete(ListAccount).where(ListAccount.account_id == account_id,
                                                    ListAccount.list_id.in_(owned)))


async def get_lists_with_member(session: AsyncSession, owner_id: int, account_id: int) -> list[List]:
    result = await session.execute(
        select(List).join(ListAccount, ListAccount.list_id == List.id)
        .where(List.account_id == owner_id, ListAccount.account_id == account_id).order_by(List.id))
    return list(result.scalars())


def _replies_shown(found: List):
    """Mastodon's FeedManager#filter_from_list: a post that replies to someone else is shown
    when it replies to the owner, or per the policy to a followed account or a list member."""
    shown = [Post.in_reply_to_uri.is_(None), Post.in_reply_to_account_id == Post.account_id,
             Post.in_reply_to_account_id == found.account_id]
    if found.replies_policy == RepliesPolicy.LIST:
        shown.append(Post.in_reply_to_account_id.in_(
            select(ListAccount.account_id).where(ListAccount.list_id == found.id)))
    elif found.replies_policy == RepliesPolicy.FOLLOWED:
        shown.append(Post.in_reply_to_account_id.in_(select(Follow.target_account_id).where(
            Follow.account_id == found.account_id, Follow.state == FollowState.ACCEPTED)))
    return or_(*shown)


def list_timeline_query(found: List):
    """The list's timeline: what entered the owner's home feed from a member (direct posts
    aside, as Mastodon's list fan-out leaves them out), keyed by post id like the home feed."""
    from .timelines import _page  # the timelines' row shape; imported here, as timelines imports this module

    members = select(ListAccount.account_id).where(ListAccount.list_id == found.id)
    query = (_page(HomeFeedEntry.post_id).join(Post, Post.id == HomeFeedEntry.post_id)
             .where(HomeFeedEntry.account_id == found.account_id, Post.account_id.in_(members),
                    Post.visibility != Visibility.DIRECT, _replies_shown(found)))
    return query, HomeFeedEntry.post_id


def in_exclusive_list(owner_id, author_id_column):
    """True where the author is a member of one of the owner's exclusive lists: such posts
    stay out of the owner's home feed (Mastodon 4.2's `exclusive`)."""
    return exists().where(ListAccount.account_id == author_id_column, List.id == ListAccount.list_id,
                          List.account_id == owner_id, List.exclusive.is_(True))


async def get_exclusive_readers(session: AsyncSession, author_id: int, reader_ids) -> set[int]:
    """Those of `reader_ids` who put the author in an exclusive list (left out of `user` streams)."""
    ids = sorted(set(reader_ids))
    if not ids:
        return set()
    result = await session.execute(select(List.account_id).join(ListAccount, ListAccount.list_id == List.id).where(
        ListAccount.account_id == author_id, List.exclusive.is_(True), List.account_id.in_(ids)))
    return set(result.scalars())


async def lists_showing(session: AsyncSession, lists: list[List], post_id: int) -> list[List]:
    """Those of `lists` whose timeline holds the post (for the `list` stream)."""
    shown = []
    for found in lists:
        query, _key = list_timeline_query(found)
        if (await session.execute(query.where(Post.id == post_id).limit(1))).first() is not None:
            shown.append(found)
    return shown


