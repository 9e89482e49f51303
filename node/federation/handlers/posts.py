"""Create and Delete of posts, Delete of whole actors, and Delete of a QuoteAuthorization
(a quoted author revoking consent to a quote).

A Delete that arrives before its Create leaves a tombstone, so the late Create is ignored
(node/actions/deletes.py).
"""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.note_parse import is_post, parse_note
from activitypub.inbox.parse import parse_deleted
from activitypub.inbox.question_parse import vote_of
from activitypub.shapes import has_type, id_of, same_origin
from storage.models import Account
from storage.repositories import posts as post_repo
from storage.repositories import quotes as quote_repo

from ... import actions
from ...errors import ValidationError
from .lookups import embedded_or_fetched, store_note
from .registry import HandlerContext, handles


@handles("Create")
async def on_create(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    document = await embedded_or_fetched(ctx, activity.get("object"))
    if document is None or not is_post(document):
        return  # Creates of other object types (chat messages, events) are not stored.
    if await _is_vote(ctx, session, document, actor):
        return
    # parse_note checks that the post is the actor's own, from the actor's own server.
    note = parse_note(document, actor.actor_uri, actor.followers_uri)
    await store_note(ctx, session, actor, note)


async def _is_vote(ctx: HandlerContext, session: AsyncSession, document: dict, actor: Account) -> bool:
    """A vote in a local poll is counted, not stored as a reply (Mastodon's form: a Note
    with the option's `name`, in reply to the Question)."""
    found = vote_of(document)
    if found is None or not same_origin(id_of(document.get("id")) or "", actor.actor_uri):
        return False
    parent = await post_repo.get_post_by_uri(session, found[0])
    if parent is None or not parent.local:
        return False
    return await actions.receive_vote(session, ctx.settings, actor, parent, found[1], id_of(document.get("id")))


@handles("Delete")
async def on_delete(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    object_uri = parse_deleted(activity)
    if has_type(activity.get("object"), "QuoteAuthorization") or \
            await quote_repo.get_quote_by_authorization_uri(session, object_uri) is not None:
        await actions.authorization_revoked(session, actor, object_uri)
        return
    if object_uri == actor.actor_uri:
        await actions.delete_remote_account(session, ctx.settings, actor)
        return
    if not same_origin(object_uri, actor.actor_uri):
        raise ValidationError("Delete of an object on another server")
    await actions.receive_delete(session, ctx.settings, actor, object_uri)
