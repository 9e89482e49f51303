"""Update of a post (an edit) or of the actor's own profile."""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account
from storage.types import utcnow

from ...errors import InvalidActivity
from ...shapes import id_of
from ..note_parse import is_post
from ..posts import update_remote_post
from ..registry import InboxContext, handles

ACTOR_TYPES = ("Person", "Service", "Application", "Group", "Organization")


@handles("Update")
async def on_update(ctx: InboxContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    obj = activity.get("object")
    if not isinstance(obj, dict):
        return
    if is_post(obj):
        await update_remote_post(ctx, session, obj, actor)
        return
    if id_of(obj) == actor.actor_uri:
        await _update_actor(session, obj, actor)


async def _update_actor(session: AsyncSession, document: dict, actor: Account) -> None:
    from ...resolver import actor_to_account_fields

    values = actor_to_account_fields(document)
    if values.get("actor_uri", actor.actor_uri) != actor.actor_uri:
        raise InvalidActivity("an actor may only update itself")
    for key, value in values.items():
        if key not in ("id", "actor_uri", "domain", "username", "created_at"):
            setattr(actor, key, value)
    actor.updated_at = utcnow()
    actor.fetched_at = utcnow()
