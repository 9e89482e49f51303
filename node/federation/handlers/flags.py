"""Flag: another server forwards a report about one of this node's accounts (Mastodon sends
it from its instance actor, `object` the reported actor and posts, `content` the comment);
it becomes a report for the local moderators (node/actions/reports.py)."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.errors import InvalidActivity
from activitypub.shapes import id_of, require_id
from storage.models import Account

from ...actions import reports
from .registry import HandlerContext, handles

MAX_OBJECTS = 50


@handles("Flag")
async def on_flag(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    flag_uri = require_id(activity.get("id"), "Flag")
    objects = activity.get("object")
    objects = objects if isinstance(objects, list) else [objects]
    object_uris = [uri for uri in (id_of(item) for item in objects[:MAX_OBJECTS]) if uri]
    if not object_uris:
        raise InvalidActivity("Flag without an object")
    content = activity.get("content")
    await reports.receive_flag(session, actor, flag_uri, object_uris, content if isinstance(content, str) else "")
