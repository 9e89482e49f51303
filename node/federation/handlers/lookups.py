"""Finding the rows an incoming activity is about: local accounts, stored posts, and posts
fetched from their origin when this node has not seen them yet."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.note_parse import is_post, parse_note
from activitypub.resolver import resolve_actor
from activitypub.shapes import id_of, require_id
from storage.models import Account, Post
from storage.repositories import accounts as account_repo
from storage.repositories import posts as post_repo

from ... import actions
from .registry import HandlerContext


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


async def post_from_origin(ctx: HandlerContext, session: AsyncSession, object_uri: str) -> Post | None:
    """A post by its id: the stored copy, else fetched from its own server and stored. An
    embedded copy of someone else's post is never trusted; its origin is asked."""
    post = await stored_post(session, object_uri)
    if post is not None:
        return post
    document = await ctx.fetcher.get_json(object_uri)
    if not is_post(document):
        return None
    author = await resolve_actor(session, ctx.fetcher, require_id(document.get("attributedTo"), "the post's author"),
                                 local_domain=ctx.settings.domain)
    note = parse_note(document, author.actor_uri, author.followers_uri)
    return await actions.receive_post(session, ctx.settings, author, note)
