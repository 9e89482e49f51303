"""Update of a post (a remote edit) or of the actor's own profile."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.note_parse import is_post, parse_note
from activitypub.resolver import actor_to_account_fields
from activitypub.shapes import id_of
from storage.models import Account

from ... import actions
from .registry import HandlerContext, handles


@handles("Update")
async def on_update(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    obj = activity.get("object")
    if not isinstance(obj, dict):
        return
    if is_post(obj):
        await actions.receive_edit(session, ctx.settings, actor, parse_note(obj, actor.actor_uri, actor.followers_uri))
    elif id_of(obj) == actor.actor_uri:
        await actions.receive_profile(session, ctx.settings, actor, actor_to_account_fields(obj))
