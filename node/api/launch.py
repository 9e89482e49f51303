"""Endpoints apps call right after signing in, before the first timeline: preferences, custom
emojis, lists, filters (v1 and v2), announcements, followed tags, follow requests, trends and
suggestions. Most answer an empty list until the feature behind them exists; an app that gets
a 404 here often refuses to finish logging in (Ivory, Tusky and Elk all call them at launch).
"""

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account
from storage.repositories import follows as follow_repo

from .. import context
from ..routing import add_routes
from ..urls import Urls
from .auth import require_scopes
from .body import query_params
from .entities import render_account

DEFAULT_LIMIT = 40
MAX_LIMIT = 80


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/preferences", preferences),
        ("GET", "/api/v1/custom_emojis", public_empty_list),
        ("GET", "/api/v1/announcements", scoped_empty_list("read")),
        ("GET", "/api/v1/follow_requests", follow_requests),
        ("GET", "/api/v1/trends", public_empty_list),
        ("GET", "/api/v1/trends/tags", public_empty_list),
        ("GET", "/api/v1/trends/statuses", public_empty_list),
        ("GET", "/api/v1/trends/links", public_empty_list),
        ("GET", "/api/v1/suggestions", scoped_empty_list("read:accounts")),
        ("GET", "/api/v2/suggestions", scoped_empty_list("read:accounts")),
    ])


async def preferences(request: web.Request) -> web.Response:
    """https://docs.joinmastodon.org/entities/Preferences/ — the user's default quote policy,
    and Mastodon's defaults for what users cannot change here yet."""
    auth = await require_scopes(request, "read:accounts")
    return web.json_response({
        "posting:default:visibility": "public",
        "posting:default:sensitive": False,
        "posting:default:language": None,
        "posting:default:quote_policy": auth.user.default_quote_policy if auth.user is not None else "public",
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
        "reading:autoplay:gifs": False,
    })


async def public_empty_list(request: web.Request) -> web.Response:
    # Public in Mastodon, which does not even look at a token sent here.
    return web.json_response([])


def scoped_empty_list(scope: str):
    """A handler that checks the signed-in user's scope and answers an empty list."""
    async def handler(request: web.Request) -> web.Response:
        await require_scopes(request, scope)
        return web.json_response([])
    handler.__name__ = f"empty_list_{scope.replace(':', '_')}"
    return handler


def page_params(request: web.Request) -> tuple[int | None, int]:
    """`max_id` and `limit` of a paged list; 400 for values that are not numbers."""
    query = query_params(request)
    return query.id("max_id"), max(1, min(query.integer("limit", DEFAULT_LIMIT), MAX_LIMIT))


async def list_follow_requests(session: AsyncSession, urls: Urls, account: Account, *,
                               max_id: int | None, limit: int) -> list[dict]:
    """Hook for the follow-requests list: accounts waiting for `account` to accept them, newest first.

    The follows slice owns the rest (authorize/reject and `Link` paging headers).
    """
    rows = await follow_repo.list_followers(session, account.id, state="requested", max_id=max_id, limit=limit)
    return [await render_account(session, urls, requester) for _follow, requester in rows]


async def follow_requests(request: web.Request) -> web.Response:
    max_id, limit = page_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:follows", session=session)
        entities = await list_follow_requests(
            session, request.app[context.URLS], auth.account, max_id=max_id, limit=limit
        )
    return web.json_response(entities)
