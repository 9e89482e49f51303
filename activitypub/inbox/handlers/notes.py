"""Create and Delete of posts, and Delete of whole actors.

A Delete that arrives before its Create leaves a tombstone, so the late Create is ignored.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Post
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo
from storage.types import utcnow

from ...errors import InvalidActivity
from ...shapes import id_of, same_origin
from ..note_parse import is_post
from ..posts import store_remote_post
from ..registry import InboxContext, handles


async def embedded_or_fetched(ctx: InboxContext, value) -> dict | None:
    """The activity's object: embedded, or fetched (signed) when only its id was sent."""
    if isinstance(value, dict) and len(value) > 2:
        return value
    object_uri = id_of(value)
    if not object_uri:
        return None
    return await ctx.fetcher.get_json(object_uri)


@handles("Create")
async def on_create(ctx: InboxContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    note = await embedded_or_fetched(ctx, activity.get("object"))
    if note is None or not is_post(note):
        return  # Creates of other object types (chat messages, events) are not stored.
    await store_remote_post(ctx, session, note, actor)


@handles("Delete")
async def on_delete(ctx: InboxContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    object_uri = id_of(activity.get("object"))
    if not object_uri:
        raise InvalidActivity("Delete without an object")
    if object_uri == actor.actor_uri:
        await delete_actor(ctx, session, actor)
        return
    if not same_origin(object_uri, actor.actor_uri):
        raise InvalidActivity("Delete of an object on another server")
    post = await post_repo.get_post_by_uri(session, object_uri)
    if post is None:
        await post_repo.put_tombstone(session, object_uri)
        return
    if post.account_id != actor.id:
        raise InvalidActivity("Delete of a post by someone else")
    await _remove_post(ctx, session, post)


async def _remove_post(ctx: InboxContext, session: AsyncSession, post: Post) -> None:
    if post.reblog_of_id is not None:
        await post_repo.change_counter(session, post.reblog_of_id, "reblogs_count", -1)
    await post_repo.delete_post(session, post)
    await post_repo.put_tombstone(session, post.object_uri)
    ctx.emit("delete", post_id=post.id)


async def delete_actor(ctx: InboxContext, session: AsyncSession, actor: Account) -> None:
    """The actor's account was deleted on its server: remove its posts and relationships."""
    result = await session.execute(select(Post).where(Post.account_id == actor.id).order_by(Post.id.desc()))
    for post in list(result.scalars()):
        await _remove_post(ctx, session, post)
    await follow_repo.delete_follows_of_account(session, actor.id)
    actor.gone_at = utcnow()
