"""Like and Announce (boost) from remote actors."""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Favourite, Notification, Post
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo

from ...errors import InvalidActivity
from ...shapes import audience, id_of, require_id
from ..note_parse import is_post, parse_time, visibility_of
from ..posts import store_remote_post
from ..registry import InboxContext, handles


@handles("Like", "EmojiReact")
async def on_like(ctx: InboxContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    like_uri = require_id(activity.get("id"), "Like")
    object_uri = id_of(activity.get("object"))
    post = await post_repo.get_post_by_uri(session, object_uri) if object_uri else None
    if post is None or not post.local:
        return  # Likes of posts that are not ours are not counted here.
    if await post_repo.get_favourite(session, actor.id, post.id) is not None:
        return
    session.add(Favourite(account_id=actor.id, post_id=post.id, like_uri=like_uri))
    await post_repo.change_counter(session, post.id, "favourites_count", 1)
    session.add(Notification(account_id=post.account_id, type="favourite", from_account_id=actor.id, post_id=post.id))
    ctx.emit("notification", account_id=post.account_id)


async def _boosted_post(ctx: InboxContext, session: AsyncSession, value) -> Post | None:
    object_uri = id_of(value)
    if not object_uri:
        raise InvalidActivity("Announce without an object")
    post = await post_repo.get_post_by_uri(session, object_uri)
    if post is not None:
        return post
    from ...resolver import resolve_actor

    # Never trust an embedded copy of someone else's post: fetch it from its origin.
    note = await ctx.fetcher.get_json(object_uri)
    if not is_post(note):
        return None
    author = await resolve_actor(session, ctx.fetcher, require_id(note.get("attributedTo"), "post author"),
                                 local_domain=ctx.local_domain)
    return await store_remote_post(ctx, session, note, author)


@handles("Announce")
async def on_announce(ctx: InboxContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    announce_uri = require_id(activity.get("id"), "Announce")
    if await post_repo.get_post_by_uri(session, announce_uri) is not None:
        return
    original = await _boosted_post(ctx, session, activity.get("object"))
    if original is None or original.visibility not in ("public", "unlisted"):
        return
    published = parse_time(activity.get("published"))
    boost = Post(account_id=actor.id, object_uri=announce_uri, local=False, reblog_of_id=original.id,
                 visibility=visibility_of(activity, actor.followers_uri) if audience(activity) else "public",
                 **({"created_at": published} if published else {}))
    session.add(boost)
    await session.flush()
    await post_repo.change_counter(session, original.id, "reblogs_count", 1)
    if original.local:
        session.add(Notification(account_id=original.account_id, type="reblog", from_account_id=actor.id,
                                 post_id=original.id))
        ctx.emit("notification", account_id=original.account_id)
    readers = set(await follow_repo.get_local_follower_ids(session, actor.id))
    await post_repo.add_to_home_feeds(session, boost.id, readers)
    ctx.emit("post", post_id=boost.id, home_account_ids=sorted(readers), visibility=boost.visibility)
