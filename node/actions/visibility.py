"""Who may see which posts: the one rule, for one post or a whole list at once.

Public and unlisted posts are for anyone; a followers-only (`private`) post is for the
author's accepted followers; a direct post for the accounts it mentions; every post for its
author. A post someone may not see is "not found" to them, revealing nothing, as on
Mastodon. The client API, the actions (likes, boosts, replies, remixes) and the inbox all
ask here, so a remote account is held to the same rule as a local one.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, Follow, Mention, Post
from storage.repositories import follows as follow_repo
from storage.states import PUBLIC_VISIBILITIES, FollowState, Visibility

from .hiding import blocked_from

# What an accepted follower (or the author) sees of an account's posts.
FOLLOWER_VISIBILITIES = (*PUBLIC_VISIBILITIES, Visibility.PRIVATE)


async def visible_posts(session: AsyncSession, viewer: Account | None, posts: list[Post]) -> list[Post]:
    """The posts of the list `viewer` (None: signed out) may see, in their order; two
    queries whatever the length of the list."""
    limited = [post for post in posts if post.visibility not in PUBLIC_VISIBILITIES
               and (viewer is None or post.account_id != viewer.id)]
    if not limited:
        return list(posts)
    if viewer is None:
        hidden = {post.id for post in limited}
        return [post for post in posts if post.id not in hidden]
    authors = sorted({post.account_id for post in limited if post.visibility == Visibility.PRIVATE})
    followed = set()
    if authors:
        followed = set((await session.execute(
            select(Follow.target_account_id).where(Follow.account_id == viewer.id,
                                                   Follow.state == FollowState.ACCEPTED,
                                                   Follow.target_account_id.in_(authors))
        )).scalars())
    mentioned = set((await session.execute(
        select(Mention.post_id).where(Mention.account_id == viewer.id, Mention.post_id.in_([p.id for p in limited]))
    )).scalars())
    hidden = {post.id for post in limited if post.id not in mentioned
              and not (post.visibility == Visibility.PRIVATE and post.account_id in followed)}
    return [post for post in posts if post.id not in hidden]


async def check_visible(session: AsyncSession, viewer: Account | None, post: Post) -> None:
    """NotFound unless `viewer` may see `post` (and its author does not keep the viewer away)."""
    if not await visible_posts(session, viewer, [post]) or await blocked_from(session, viewer, post.account_id):
        raise NotFound(f"post {post.id} not found")


async def visibilities_for(session: AsyncSession, viewer: Account | None, author: Account) -> tuple[str, ...]:
    """The visibilities of `author`'s posts that `viewer` may see on a profile or in a
    backfilled home feed (direct posts are never listed there)."""
    if viewer is not None and viewer.id == author.id:
        return FOLLOWER_VISIBILITIES
    if viewer is not None:
        follow = await follow_repo.get_follow(session, viewer.id, author.id)
        if follow is not None and follow.state == FollowState.ACCEPTED:
            return FOLLOWER_VISIBILITIES
    return PUBLIC_VISIBILITIES
