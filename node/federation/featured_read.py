"""Reading a remote actor's `featured` collection (its pinned posts), as Mastodon's
FetchFeaturedCollectionService does when it meets an actor: the collection's items, embedded
Notes or their ids, at most MAX_ITEMS, each checked as an inbox post is (from the actor's
own server, sanitized) and stored. Called when a search resolves an actor; pins that change
later arrive as Add and Remove (handlers/featured.py)."""

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.errors import FederationError
from activitypub.fetch import Fetcher
from activitypub.inbox.note_parse import is_post, parse_note
from activitypub.shapes import as_list, id_of, same_origin
from storage.errors import StorageError
from storage.models import Account, Post
from storage.repositories import posts as post_repo

from ..actions.pins import replace_remote_pins
from ..settings import Settings
from .handlers.lookups import store_note
from .handlers.registry import HandlerContext

log = logging.getLogger(__name__)

MAX_ITEMS = 20


async def _items(fetcher: Fetcher, collection: dict) -> list:
    items = as_list(collection.get("orderedItems") or collection.get("items"))
    first = collection.get("first")
    if not items and first is not None:
        page = first if isinstance(first, dict) else await fetcher.get_json(id_of(first))
        items = as_list(page.get("orderedItems") or page.get("items"))
    return items[:MAX_ITEMS]


async def _post_of(ctx: HandlerContext, session: AsyncSession, account: Account, item) -> Post | None:
    uri = id_of(item)
    if not uri or not same_origin(uri, account.actor_uri):
        return None
    held = await post_repo.get_post_by_uri(session, uri)
    if held is not None:
        return held
    document = item if isinstance(item, dict) and len(item) > 2 else await ctx.fetcher.get_json(uri)
    if not is_post(document):
        return None
    return await store_note(ctx, session, account, parse_note(document, account.actor_uri, account.followers_uri))


async def read_featured(session: AsyncSession, settings: Settings, fetcher: Fetcher, account: Account) -> None:
    """Store the actor's pinned posts and make them its pins here; a failure leaves the pins
    as they were (a profile without pins is no error)."""
    if account.domain is None or not account.featured_uri:
        return
    ctx = HandlerContext(settings=settings, fetcher=fetcher)
    try:
        collection = await fetcher.get_json(account.featured_uri)
        posts = []
        for item in await _items(fetcher, collection):
            try:
                post = await _post_of(ctx, session, account, item)
            except (FederationError, StorageError) as exc:
                log.info("cannot read a pinned post of %s: %s", account.actor_uri, exc)
                continue
            if post is not None:
                posts.append(post)
    except (FederationError, StorageError) as exc:
        log.info("cannot read the featured collection of %s: %s", account.actor_uri, exc)
        return
    await replace_remote_pins(session, account, posts)
