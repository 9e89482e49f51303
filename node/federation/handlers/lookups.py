"""Finding the rows an incoming activity is about: local accounts, stored posts, and posts
fetched from their origin when this node has not seen them yet, with the post a quote
quotes and the check of its QuoteAuthorization (both need the network, so they happen here,
before the action runs)."""

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.errors import BlockedAddress, FederationError, GoneOrMissing, InvalidActivity
from activitypub.inbox.note_parse import RemoteNote, is_post, parse_note
from activitypub.inbox.parse import parse_authorization
from activitypub.resolver import resolve_actor
from activitypub.shapes import host_of, id_of, require_id
from storage.models import Account, Post
from storage.repositories import accounts as account_repo
from storage.repositories import posts as post_repo

from ... import actions
from .registry import HandlerContext

log = logging.getLogger(__name__)


async def local_account(session: AsyncSession, actor_uri: str | None) -> Account | None:
    if not actor_uri:
        return None
    account = await account_repo.get_account_by_uri(session, actor_uri)
    return account if account is not None and account.domain is None else None


async def embedded_or_fetched(ctx: HandlerContext, value) -> dict | None:
    """An activity's object: embedded, or fetched (signed) when only its id was sent."""
    if isinstance(value, dict) and len(value) > 2:
        return value
    object_uri = id_of(value)
    if not object_uri:
        return None
    return await ctx.fetcher.get_json(object_uri)


async def stored_post(session: AsyncSession, object_uri: str | None) -> Post | None:
    return await post_repo.get_post_by_uri(session, object_uri) if object_uri else None


async def post_from_origin(ctx: HandlerContext, session: AsyncSession, object_uri: str, *,
                           quotes_to_follow: int = 1) -> Post | None:
    """A post by its id: the stored copy, else fetched from its own server and stored. An
    embedded copy of someone else's post is never trusted; its origin is asked."""
    post = await stored_post(session, object_uri)
    if post is not None or host_of(object_uri) == ctx.settings.domain.lower():
        return post
    document = await ctx.fetcher.get_json(object_uri)
    if not is_post(document):
        return None
    author = await resolve_actor(session, ctx.fetcher, require_id(document.get("attributedTo"), "the post's author"),
                                 local_domain=ctx.settings.domain)
    note = parse_note(document, author.actor_uri, author.followers_uri)
    return await store_note(ctx, session, author, note, quotes_to_follow=quotes_to_follow)


async def quoted_post(ctx: HandlerContext, session: AsyncSession, note: RemoteNote, *,
                      quotes_to_follow: int = 1) -> Post | None:
    """The post a remote quote quotes: stored, or fetched (one step of a quote chain at a
    time). A source that cannot be fetched leaves the quote pointing at a post unknown here."""
    quote_uri = note.fields.get("quote_of_uri")
    if not quote_uri:
        return None
    if quotes_to_follow <= 0:
        return await stored_post(session, quote_uri)
    try:
        return await post_from_origin(ctx, session, quote_uri, quotes_to_follow=quotes_to_follow - 1)
    except FederationError as exc:
        log.info("cannot fetch the post %s quotes: %s", quote_uri, exc)
        return None


async def verified_authorization(ctx: HandlerContext, session: AsyncSession, note: RemoteNote,
                                 quoted: Post | None) -> str | None:
    """The quote's QuoteAuthorization when it checks out (FEP-044f): fetched from the quoted
    author's server, attributed to the quoted author, naming this quote and this source.
    A quote of a post of this node needs none: this node decides those itself."""
    if not note.quote_authorization or quoted is None or quoted.local:
        return None
    try:
        document = await ctx.fetcher.get_json(note.quote_authorization)
        authorization = parse_authorization(document, note.quote_authorization)
    except (GoneOrMissing, InvalidActivity, BlockedAddress) as exc:
        # Gone or not an authorization: the quote stays unconfirmed. Any other fetch failure
        # (a peer down, a timeout) is raised, so the inbox item is tried again later.
        log.info("quote authorization %s does not check out: %s", note.quote_authorization, exc)
        return None
    quoted_author = await session.get(Account, quoted.account_id)
    if (authorization.attributed_to != quoted_author.actor_uri or authorization.interacting_object != note.object_uri
            or authorization.interaction_target != quoted.object_uri):
        log.info("quote authorization %s names other posts or another author", note.quote_authorization)
        return None
    return authorization.authorization_uri


async def store_note(ctx: HandlerContext, session: AsyncSession, author: Account, note: RemoteNote, *,
                     quotes_to_follow: int = 1) -> Post | None:
    """Store a remote post with what its quote needs first: the quoted post and the check
    of its authorization."""
    quoted = await quoted_post(ctx, session, note, quotes_to_follow=quotes_to_follow)
    granted = await verified_authorization(ctx, session, note, quoted)
    return await actions.receive_post(session, ctx.settings, author, note, verified_authorization=granted)
