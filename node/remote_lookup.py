"""Resolving what a search names into stored rows: `user@domain` handles through WebFinger, and
URLs of actors or posts through a signed ActivityPub fetch (search with `resolve=true`).

What is found is stored like anything the inbox receives (sanitized, size-limited, checked
against its origin), so the user can follow or favourite it next. Nothing here commits; a
fetch that fails answers None, because a search finding nothing is not an error.
"""

import logging
import re

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.errors import FederationError
from activitypub.fetch import Fetcher
from activitypub.inbox.note_parse import is_post, parse_note
from activitypub.resolver import ACTOR_TYPES, resolve_actor, store_actor
from activitypub.shapes import host_of, id_of, types_of
from storage.errors import StorageError
from storage.models import Account, Post
from storage.repositories import accounts as account_repo

from .federation.featured_read import read_featured
from .federation.handlers.lookups import store_note
from .federation.handlers.registry import HandlerContext
from .settings import Settings

log = logging.getLogger(__name__)

# Mastodon's handle shape: `user@host[:port]`, with or without a leading `@`.
HANDLE = re.compile(r"@?(?P<user>[\w.-]+)@(?P<domain>[A-Za-z0-9.-]+(?::\d+)?)")
URL = re.compile(r"https?://\S+")
MAX_URL = 2048


def is_handle(text: str) -> bool:
    return HANDLE.fullmatch(text.strip()) is not None


def is_url(text: str) -> bool:
    text = text.strip()
    return len(text) <= MAX_URL and URL.fullmatch(text) is not None


def _is_ours(settings: Settings, domain: str) -> bool:
    return domain.lower() in (settings.domain.lower(), settings.host.lower())


async def find_handle(session: AsyncSession, settings: Settings, fetcher: Fetcher | None,
                      text: str) -> Account | None:
    """The account a handle names: stored already, else (with a fetcher) found by WebFinger."""
    match = HANDLE.fullmatch(text.strip())
    if match is None:
        return None
    user, domain = match["user"], match["domain"]
    if _is_ours(settings, domain):
        return await account_repo.get_local_person_by_username(session, user)
    known = await account_repo.get_account_by_username(session, user, domain)
    if known is not None or fetcher is None:
        return known
    try:
        actor_uri = await fetcher.webfinger(f"{user}@{domain}")
        account = await resolve_actor(session, fetcher, actor_uri, local_domain=settings.domain)
    except (FederationError, StorageError) as exc:
        log.info("cannot resolve %s@%s: %s", user, domain, exc)
        return None
    # A newly met actor's pinned posts, as Mastodon reads them on first contact.
    await read_featured(session, settings, fetcher, account)
    return account


async def _stored_by_url(session: AsyncSession, url: str) -> Account | Post | None:
    """A row whose id or page URL is `url` (a post's page and its AP id often differ)."""
    account = (await session.execute(
        select(Account).where(or_(Account.actor_uri == url, Account.url == url)).limit(1)
    )).scalar_one_or_none()
    if account is not None:
        return account
    return (await session.execute(
        select(Post).where(or_(Post.object_uri == url, Post.url == url), Post.reblog_of_id.is_(None)).limit(1)
    )).scalar_one_or_none()


async def find_url(session: AsyncSession, settings: Settings, fetcher: Fetcher | None,
                   url: str) -> Account | Post | None:
    """The actor or post at `url`: stored already, else (with a fetcher) fetched and stored."""
    url = url.strip()
    found = await _stored_by_url(session, url)
    if found is not None or fetcher is None or _is_ours(settings, host_of(url)):
        return found
    try:
        document = await fetcher.get_json(url)
        return await _store_document(session, settings, fetcher, document, url)
    except (FederationError, StorageError) as exc:
        log.info("cannot resolve %s: %s", url, exc)
        return None


async def _store_document(session: AsyncSession, settings: Settings, fetcher: Fetcher, document: dict,
                          url: str) -> Account | Post | None:
    if types_of(document) & set(ACTOR_TYPES):
        return await store_actor(session, document, url, local_domain=settings.domain)
    if not is_post(document):
        return None
    # The page URL may redirect to the object's id; a stored copy under that id wins.
    object_uri = id_of(document)
    stored = await _stored_by_url(session, object_uri) if object_uri else None
    if isinstance(stored, Post):
        return stored
    author_uri = id_of(document.get("attributedTo"))
    if not author_uri or host_of(author_uri) != host_of(object_uri or url):
        return None  # a post may only be vouched for by its own server
    author = await resolve_actor(session, fetcher, author_uri, local_domain=settings.domain)
    note = parse_note(document, author.actor_uri, author.followers_uri)
    # Stored as the inbox stores a post: with the post it quotes, and its authorization checked.
    return await store_note(HandlerContext(settings=settings, fetcher=fetcher), session, author, note)
