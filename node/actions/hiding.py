"""What blocks, mutes, domain blocks, silences and suspensions hide, for one viewer: the one
rule, as a WHERE clause for the paged lists (timelines) and as a filter for lists already
loaded (notifications, a thread, search results), and the check the interactions ask.

Mastodon's behaviour is followed: a viewer does not see the posts (or boosts of the posts)
of accounts she blocks or mutes, of accounts that block her, or of servers she hides; a
silenced account or server is seen only by its followers; a suspended account by nobody.
Someone blocked by a post's author may not see it, and so may not like, boost, reply to or
quote it: to them it is "not found", revealing nothing.
"""

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Account, Follow, Notification, Post
from storage.repositories import blocks as block_repo
from storage.repositories import domain_blocks as domain_block_repo
from storage.states import FollowState
from storage.types import utcnow


async def hidden_posts_clause(session: AsyncSession, viewer: Account | None):
    """A condition on `Post` that is false for every post the viewer should not see listed.

    Everything it needs is asked inside the one statement (uncorrelated subqueries the
    database runs once), so a timeline page pays no round trip for it.
    """
    limited_domains = domain_block_repo.limited_domains_select()
    author = aliased(Account)
    limited = or_(author.silenced_at.is_not(None), author.domain.in_(limited_domains))
    if viewer is not None:
        # Followers still see a silenced account (Mastodon's "limited" accounts).
        follows = exists().where(Follow.account_id == viewer.id, Follow.target_account_id == author.id,
                                 Follow.state == FollowState.ACCEPTED)
        limited = and_(limited, author.id != viewer.id, ~follows)
    clause = ~exists(select(author.id).where(author.id == Post.account_id,
                                             or_(author.suspended_at.is_not(None), limited)))
    if viewer is not None:
        hidden = block_repo.hidden_by(viewer.id, utcnow())
        original = aliased(Post)
        boosts_hidden = exists(select(original.id).where(original.id == Post.reblog_of_id,
                                                         original.account_id.in_(hidden)))
        clause = and_(clause, Post.account_id.not_in(hidden), or_(Post.reblog_of_id.is_(None), ~boosts_hidden))
    return clause


async def shown_posts(session: AsyncSession, viewer: Account | None, posts: list[Post]) -> list[Post]:
    """The posts of a loaded list that the viewer should see, in their order (one query)."""
    if not posts:
        return []
    clause = await hidden_posts_clause(session, viewer)
    kept = set((await session.execute(select(Post.id).where(Post.id.in_([post.id for post in posts]), clause)))
               .scalars())
    return [post for post in posts if post.id in kept]


async def shown_notifications(session: AsyncSession, viewer: Account,
                              rows: list[Notification]) -> list[Notification]:
    """Notifications from accounts the viewer blocks, is blocked by, mutes (with
    notifications), or hides the server of, and from suspended accounts, are left out."""
    senders = {row.from_account_id for row in rows}
    if not senders:
        return rows
    hidden = await block_repo.list_muted_notification_ids(session, viewer.id, utcnow())
    suspended = set((await session.execute(select(Account.id).where(
        Account.id.in_(senders), Account.suspended_at.is_not(None)))).scalars())
    return [row for row in rows if row.from_account_id not in hidden and row.from_account_id not in suspended]


async def blocked_from(session: AsyncSession, viewer: Account | None, author_id: int) -> bool:
    """Whether the author keeps the viewer away from her posts: she blocks the viewer or the
    viewer's server, or she is suspended."""
    author = await session.get(Account, author_id)
    if author is None or author.suspended_at is not None:
        return True
    if viewer is None or viewer.id == author_id:
        return False
    if await block_repo.get_block(session, author_id, viewer.id) is not None:
        return True
    return await block_repo.blocks_domain(session, author_id, viewer.domain)



async def shown_accounts(session: AsyncSession, viewer: Account | None, accounts: list[Account]) -> list[Account]:
    """Accounts of a search the viewer should see: not suspended, not hidden by a block, a
    mute or a hidden server."""
    hidden = await block_repo.list_hidden_ids(session, viewer.id, utcnow()) if viewer is not None else set()
    return [account for account in accounts if account.suspended_at is None and account.id not in hidden]
