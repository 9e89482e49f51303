"""Update of a post (a remote edit) or of the actor's own profile."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.note_parse import is_post, parse_note
from activitypub.resolver import actor_to_account_fields
from activitypub.shapes import id_of
from storage.models import Account

from ... import actions
from .lookups import quoted_post, verified_authorization
from .registry import HandlerContext, handles


@handles("Update")
async def on_update(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    obj = activity.get("object")
    if not isinstance(obj, dict):
        return
    if is_post(obj):
        note = parse_note(obj, actor.actor_uri, actor.followers_uri)
        # An Update is how a quote learns it was authorized (FEP-044f `quoteAuthorization`).
        granted = await verified_authorization(ctx, session, note, await quoted_post(ctx, session, note))
        post = await actions.receive_edit(session, ctx.settings, actor, note, verified_authorization=granted)
        if post is not None:
            # A poll's new counts come in an Update that changes nothing else (Mastodon's
            # DistributePollUpdateWorker), so they are taken whatever the edit check said.
            await actions.store_remote_poll(session, post, note.poll)
    elif id_of(obj) == actor.actor_uri:
        await actions.receive_profile(session, ctx.settings, actor, actor_to_account_fields(obj))
