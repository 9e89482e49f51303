"""Who may see which posts in the client API, decided for a whole list at once.

The rule is `node.actions.common.check_visible`'s (public and unlisted posts for anyone, a
followers-only post for accepted followers, a direct post for the people it mentions, every
post for its author), applied in two queries instead of two per post. A post the viewer may
not see answers 404, revealing nothing, as Mastodon does.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, Follow, Mention, Post

from ..actions.common import PUBLIC_VISIBILITIES, get_post, original_of


async def visible_posts(session: AsyncSession, viewer: Account | None, posts: list[Post]) -> list[Post]:
    """The posts of the list `viewer` (None: signed out) may see, in their order."""
    limited = [post for post in posts if post.visibility not in PUBLIC_VISIBILITIES
               and (viewer is None or post.account_id != viewer.id)]
    if not limited:
        return list(posts)
    if viewer is None:
        hidden = {post.id for post in limited}
        return [post for post in posts if post.id not in hidden]
    authors = sorted({post.account_id for post in limited if post.visibility == "private"})
    followed = set()
    if authors:
        followed = set((await session.execute(
            select(Follow.target_account_id).where(Follow.account_id == viewer.id, Follow.state == "accepted",
                                                   Follow.target_account_id.in_(authors))
        )).scalars())
    mentioned = set((await session.execute(
        select(Mention.post_id).where(Mention.account_id == viewer.id, Mention.post_id.in_([p.id for p in limited]))
    )).scalars())
    hidden = {post.id for post in limited
              if post.id not in mentioned and not (post.visibility == "private" and post.account_id in followed)}
    return [post for post in posts if post.id not in hidden]


async def get_visible_post(session: AsyncSession, viewer: Account | None, post_id) -> Post:
    """A post by id (a boost needs its original visible too); NotFound when the viewer may not see it."""
    post = await get_post(session, post_id)
    checked = [post] if post.reblog_of_id is None else [post, await original_of(session, post)]
    if len(await visible_posts(session, viewer, checked)) != len(checked):
        raise NotFound(f"post {post_id} not found")
    return post
