"""QuoteRequest (FEP-044f): a remote account asks to quote a post of this node. The quoting
post comes embedded (Mastodon) or by id; either way it is stored as the requester's own
post, then the action decides by the quoted post's policy and answers Accept or Reject."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.note_parse import is_post, parse_note
from activitypub.inbox.parse import parse_quote_request
from storage.models import Account

from ... import actions
from .lookups import post_from_origin, stored_post, store_note
from .registry import HandlerContext, handles


@handles("QuoteRequest")
async def on_quote_request(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    request = parse_quote_request(activity)
    quoted = await stored_post(session, request.object_uri)
    if quoted is None or not quoted.local:
        return  # not a post of ours: nothing to consent to (Mastodon stays silent too)
    quoting = await stored_post(session, request.instrument_uri)
    if quoting is None and request.instrument is not None and is_post(request.instrument):
        # parse_note holds the embedded post to its author and that author's server.
        quoting = await store_note(ctx, session, actor, parse_note(request.instrument, actor.actor_uri,
                                                                     actor.followers_uri), quotes_to_follow=0)
    if quoting is None:
        quoting = await post_from_origin(ctx, session, request.instrument_uri, quotes_to_follow=0)
    if quoting is None:
        return
    await actions.answer_quote_request(session, ctx.settings, actor, request.activity_uri, quoting, quoted)
