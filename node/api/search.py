"""Search in the client API: GET /api/v2/search and GET /api/v1/accounts/search.

See https://docs.joinmastodon.org/methods/search/. Without `resolve`, stored accounts are
matched by username prefix or display name and posts the user may see by their text. With
`resolve=true` and a signed-in user, a `user@domain` handle is looked up by WebFinger and a
URL of a remote actor or post is fetched (signed) and stored, as Mastodon does, so the result
can be followed or favourited at once. Hashtags are not stored apart from posts: a query that
is a valid hashtag answers that hashtag.
"""

import re

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from storage.models import Account, Post
from storage.repositories import account_queries

from .. import context
from ..errors import ValidationError
from ..federation.runtime import FEDERATION
from ..remote_lookup import find_handle, find_url, is_handle, is_url
from ..routing import add_routes
from .auth import Auth, optional_scopes, require_scopes
from .body import Params, query_params
from .status_entity import render_accounts, render_statuses
from ..actions.hiding import shown_accounts, shown_posts
from .visibility import visible_posts

TYPES = ("accounts", "statuses", "hashtags")
DEFAULT_LIMIT = 20
MAX_LIMIT = 40
MAX_OFFSET = 10_000
MAX_QUERY = 500
# Mastodon's hashtag shape: word characters with at least one that is not a digit.
HASHTAG = re.compile(r"#?(?P<name>\w*[^\W\d]\w*)")


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v2/search", search),
        ("GET", "/api/v1/accounts/search", search_accounts),
    ])


def _number(query: Params, name: str, default: int, maximum: int) -> int:
    """A count that is clamped to `maximum` rather than refused past it."""
    return min(query.integer(name, default, minimum=0), maximum)


def _query_text(query: Params) -> str:
    text = (query.string("q") or "").strip()
    if not text:
        raise ValidationError("q is required", status=400)
    if len(text) > MAX_QUERY:
        raise ValidationError(f"q has at most {MAX_QUERY} characters", status=400)
    return text


def _resolving(query: Params, auth: Auth | None) -> bool:
    # Only a signed-in user may make this server fetch things (Mastodon's rule too).
    return query.boolean("resolve", False) and auth is not None and auth.account is not None


async def _find(session, settings, fetcher, text: str) -> Account | Post | None:
    if is_handle(text):
        return await find_handle(session, settings, fetcher, text)
    if is_url(text):
        return await find_url(session, settings, fetcher, text)
    return None


async def _resolve(request: web.Request, session, text: str, resolve: bool) -> Account | Post | None:
    """The one account or post a handle or URL names (fetched only when resolving).

    What is fetched is stored and committed in a session of its own, so that it can be followed
    next, and then read in the request's session.
    """
    settings = request.app[context.SETTINGS]
    if not resolve:
        return await _find(session, settings, None, text)
    async with request.app[context.SESSIONMAKER]() as own:
        try:
            found = await _find(own, settings, request.app[FEDERATION].fetcher, text)
            await own.commit()
        except IntegrityError:
            # Another request stored the same actor or post first (two clients resolving one
            # handle at once): answer with the row it stored.
            await own.rollback()
            found = await _find(own, settings, None, text)
        return None if found is None else await session.get(type(found), found.id)


async def _accounts(session, text: str, found, viewer: Account | None, *, limit: int, offset: int,
                    following: bool) -> list[Account]:
    if isinstance(found, Account):
        return [found] if offset == 0 else []
    if is_url(text) or is_handle(text):
        return []  # a handle or URL names one account; no fuzzy matches on its text
    return await shown_accounts(session, viewer, await account_queries.search_accounts(
        session, text.lstrip("@"), following_of=viewer.id if following and viewer else None,
        limit=limit, offset=offset,
    ))


async def _statuses(session, text: str, found, viewer: Account | None, *, limit: int, offset: int) -> list[Post]:
    if isinstance(found, Post):
        return await visible_posts(session, viewer, [found]) if offset == 0 else []
    if viewer is None or is_handle(text) or is_url(text):
        return []  # Mastodon searches post text for signed-in users only
    return await shown_posts(session, viewer,
                             await account_queries.search_posts(session, viewer.id, text, limit=limit, offset=offset))


def _hashtags(request: web.Request, text: str, offset: int) -> list[dict]:
    match = HASHTAG.fullmatch(text)
    if match is None or offset:
        return []
    name = match["name"].lower()
    return [{"name": name, "url": request.app[context.URLS].tag(name), "history": [], "following": False}]


async def search(request: web.Request) -> web.Response:
    query = query_params(request)
    text, kind, following = _query_text(query), query.string("type") or None, query.boolean("following", False)
    if kind is not None and kind not in TYPES:
        raise ValidationError(f"type must be one of {', '.join(TYPES)}", status=400)
    limit = max(1, _number(query, "limit", DEFAULT_LIMIT, MAX_LIMIT))
    urls = request.app[context.URLS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, "read:search", session=session)
        viewer = auth.account if auth is not None else None
        # Paging past the first results is for signed-in users, as on Mastodon.
        offset = _number(query, "offset", 0, MAX_OFFSET) if viewer is not None else 0
        found = await _resolve(request, session, text, _resolving(query, auth))
        answer = {"accounts": [], "statuses": [], "hashtags": []}
        if kind in (None, "accounts"):
            accounts = await _accounts(session, text, found, viewer, limit=limit, offset=offset,
                                       following=following)
            answer["accounts"] = await render_accounts(session, urls, accounts)
        if kind in (None, "statuses"):
            posts = await _statuses(session, text, found, viewer, limit=limit, offset=offset)
            answer["statuses"] = await render_statuses(session, urls, viewer, posts)
        if kind in (None, "hashtags") and found is None:
            answer["hashtags"] = _hashtags(request, text, offset)
    return web.json_response(answer)


async def search_accounts(request: web.Request) -> web.Response:
    """The accounts half of the search, with `following` to keep to followed accounts."""
    query = query_params(request)
    text, following = _query_text(query), query.boolean("following", False)
    limit = max(1, _number(query, "limit", MAX_LIMIT, 80))
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:accounts", session=session)
        offset = _number(query, "offset", 0, MAX_OFFSET)
        found = await _resolve(request, session, text, _resolving(query, auth))
        accounts = await _accounts(session, text, found, auth.account, limit=limit, offset=offset,
                                   following=following)
        entities = await render_accounts(session, request.app[context.URLS], accounts)
    return web.json_response(entities)
