"""Lists the client API pages through and searches: an account's followers, follows and posts
(with Mastodon's filters), and account and post search over stored rows.

Paged lists take `page`, any object with `apply(query, column)` (filter, order and limit by an
id column) and `newest_first(rows)`; the client API's `Page` is one. Searches are plain
`LIKE` over lowercased columns: a username prefix can use the accounts' lower(username)
index, and post content search is bounded by visibility, limit and offset.
"""

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, Follow, HomeFeedEntry, MediaAttachment, Post
from ..states import FollowState

PUBLIC = ("public", "unlisted")


async def list_followers_page(session: AsyncSession, account_id: int, page) -> list[tuple[int, Account]]:
    """(follow id, follower) pairs of accepted follows of the account, newest first."""
    query = (select(Follow.id, Account).join(Account, Account.id == Follow.account_id)
             .where(Follow.target_account_id == account_id, Follow.state == FollowState.ACCEPTED))
    rows = (await session.execute(page.apply(query, Follow.id))).all()
    return page.newest_first([(follow_id, account) for follow_id, account in rows])


async def list_following_page(session: AsyncSession, account_id: int, page) -> list[tuple[int, Account]]:
    """(follow id, followed account) pairs of the account's accepted follows, newest first."""
    query = (select(Follow.id, Account).join(Account, Account.id == Follow.target_account_id)
             .where(Follow.account_id == account_id, Follow.state == FollowState.ACCEPTED))
    rows = (await session.execute(page.apply(query, Follow.id))).all()
    return page.newest_first([(follow_id, account) for follow_id, account in rows])


async def list_profile_posts(session: AsyncSession, account_id: int, page, *, visibilities: tuple[str, ...],
                             only_media: bool = False, exclude_replies: bool = False,
                             exclude_reblogs: bool = False, tag: str | None = None) -> list[Post]:
    """An account's posts and boosts for its profile, newest first, with Mastodon's filters.

    `exclude_replies` keeps replies to the account itself (threads), as Mastodon does.
    """
    query = select(Post).where(Post.account_id == account_id, Post.visibility.in_(visibilities))
    if only_media:
        query = query.where(Post.reblog_of_id.is_(None),
                            exists().where(MediaAttachment.post_id == Post.id))
    if exclude_replies:
        query = query.where(or_(Post.in_reply_to_uri.is_(None), Post.in_reply_to_account_id == account_id))
    if exclude_reblogs:
        query = query.where(Post.reblog_of_id.is_(None))
    rows = list((await session.execute(page.apply(query, Post.id))).scalars())
    if tag:
        # Tags are a JSON list per post; filtering the page here avoids backend-specific JSON SQL.
        rows = [post for post in rows if tag.lower() in (post.tags or [])]
    return page.newest_first(rows)


def like_pattern(text: str, *, prefix: bool = False) -> str:
    """A LIKE pattern matching `text` literally (with `\\` as the escape character)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%" if prefix else f"%{escaped}%"


async def search_accounts(session: AsyncSession, text: str, *, domain: str | None = None,
                          following_of: int | None = None, limit: int = 40, offset: int = 0) -> list[Account]:
    """Accounts whose username starts with `text` or whose display name contains it.

    Exact username matches come first, then local accounts, then the rest by name. `domain`
    narrows to one server (`user@domain`); `following_of` to accounts that account follows.
    """
    name = func.lower(Account.username)
    query = select(Account).where(
        or_(name.like(like_pattern(text, prefix=True), escape="\\"),
            func.lower(Account.display_name).like(like_pattern(text), escape="\\")),
        Account.actor_type != "Application", Account.gone_at.is_(None),
    )
    if domain is not None:
        query = query.where(func.lower(Account.domain) == domain.lower())
    if following_of is not None:
        query = query.where(exists().where(Follow.account_id == following_of, Follow.target_account_id == Account.id,
                                           Follow.state == FollowState.ACCEPTED))
    query = query.order_by((name != text.lower()), Account.domain.is_not(None), name, Account.id)
    return list((await session.execute(query.limit(limit).offset(offset))).scalars())


async def search_posts(session: AsyncSession, viewer_id: int, text: str, *, limit: int = 20,
                       offset: int = 0) -> list[Post]:
    """Posts (not boosts) containing `text` that the viewer may see: public and unlisted ones,
    the viewer's own, and those delivered to the viewer's home feed; newest first."""
    in_home = exists().where(HomeFeedEntry.account_id == viewer_id, HomeFeedEntry.post_id == Post.id)
    query = (
        select(Post)
        .where(Post.reblog_of_id.is_(None),
               func.lower(Post.content).like(like_pattern(text), escape="\\"),
               or_(Post.visibility.in_(PUBLIC), Post.account_id == viewer_id, in_home))
        .order_by(Post.id.desc()).limit(limit).offset(offset)
    )
    return list((await session.execute(query)).scalars())
