"""Add and Remove on an actor's own `featured` collection: Mastodon's pin and unpin
(app/lib/activitypub/activity/add.rb, remove.rb). Other collections are ignored."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.shapes import id_of
from storage.models import Account

from ...actions.pins import receive_pin
from .registry import HandlerContext, handles


def _featured_object(activity: dict, actor: Account) -> str | None:
    target = id_of(activity.get("target"))
    if not target or not actor.featured_uri or target != actor.featured_uri:
        return None
    return id_of(activity.get("object"))


@handles("Add")
async def on_add(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    object_uri = _featured_object(activity, actor)
    if object_uri:
        await receive_pin(session, actor, object_uri, pinned=True)


@handles("Remove")
async def on_remove(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    object_uri = _featured_object(activity, actor)
    if object_uri:
        await receive_pin(session, actor, object_uri, pinned=False)
