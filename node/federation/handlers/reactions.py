"""Like (and Misskey's EmojiReact, counted as a like) and Announce (a boost) from remote
actors. Who may like or boost what is the actions' rule (node/actions/reactions.py), the
same one a local user's favourite or boost passes."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.parse import parse_boost, parse_pointing
from storage.models import Account

from ... import actions
from .lookups import post_from_origin, stored_post
from .registry import HandlerContext, handles


@handles("Like", "EmojiReact")
async def on_like(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    like = parse_pointing(activity, "Like")
    post = await stored_post(session, like.object_uri)
    if post is None:
        return  # a like of something that is not a post here (an actor, an unknown post)
    await actions.favourite(session, ctx.settings, actor, post, like_uri=like.activity_uri)


@handles("Announce")
async def on_announce(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    announce = parse_boost(activity, actor.followers_uri)
    if await stored_post(session, announce.activity_uri) is not None:
        return  # the same Announce again
    original = await post_from_origin(ctx, session, announce.object_uri)
    if original is None:
        return  # a boost of something that is not a post
    await actions.boost(session, ctx.settings, actor, original, announce_uri=announce.activity_uri,
                        visibility=announce.visibility, published=announce.published)
