"""Move: a remote account announces that it moved to another. Mastodon sends
`{type: Move, actor: old, object: old, target: new}` and accepts it only when the new
account lists the old one in `alsoKnownAs`; so do we, reading the new actor from its own
server. The followers' side is node/actions/moves.py."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.errors import InvalidActivity
from activitypub.resolver import is_local_uri, store_actor
from activitypub.shapes import as_list, id_of
from storage.models import Account

from ...actions.moves import move_account
from ...errors import ValidationError
from .registry import HandlerContext, handles


@handles("Move")
async def on_move(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    origin_uri, target_uri = id_of(activity.get("object")), id_of(activity.get("target"))
    if origin_uri != actor.actor_uri or not target_uri:
        raise InvalidActivity("a Move must move its own actor to a target")
    if is_local_uri(target_uri, ctx.settings.domain):
        raise ValidationError("a move to an account of this server is not supported")
    document = await ctx.fetcher.get_json(target_uri)
    if actor.actor_uri not in {id_of(item) for item in as_list(document.get("alsoKnownAs"))}:
        raise ValidationError("the new account does not name the old one in alsoKnownAs")
    new = await store_actor(session, document, target_uri, local_domain=ctx.settings.domain)
    await move_account(session, ctx.settings, actor, new)
