"""An account's statuses for its profile: GET /api/v1/accounts/:id/statuses.

See https://docs.joinmastodon.org/methods/accounts/#statuses. Followers-only posts are shown
to the author and to accepted followers; direct posts never appear on a profile. Pins do not
are listed with `pinned=true` (apps ask for them before the rest), one page of at most five.
"""

from aiohttp import web

from storage.repositories import account_queries
from storage.repositories import pins as pin_repo

from .. import context
from ..actions.hiding import blocked_from
from ..actions.visibility import visibilities_for, visible_posts
from ..routing import add_routes
from .account_relations import get_account_or_404
from .auth import optional_scopes
from .body import query_params
from .pagination import page_params, paged_response
from .status_entity import render_statuses

FILTERS = ("only_media", "exclude_replies", "exclude_reblogs")


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", r"/api/v1/accounts/{id:\d+}/statuses", account_statuses),
    ])


async def account_statuses(request: web.Request) -> web.Response:
    page, query = page_params(request), query_params(request)
    filters = {name: query.boolean(name, False) for name in FILTERS}
    pinned, tag = query.boolean("pinned", False), query.string("tagged") or None
    urls = request.app[context.URLS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, "read:statuses", session=session)
        viewer = auth.account if auth is not None else None
        author = await get_account_or_404(session, request.match_info["id"])
        if await blocked_from(session, viewer, author.id):  # blocked or suspended: nothing, as on Mastodon
            return web.json_response([])
        if pinned:
            # Pins are few (node/actions/pins.py MAX_PINS): one page, without a Link header.
            shown = await visible_posts(session, viewer, await pin_repo.list_pinned_posts(session, author.id))
            return web.json_response(await render_statuses(session, urls, viewer, shown))
        posts = await account_queries.list_profile_posts(
            session, author.id, page, visibilities=await visibilities_for(session, viewer, author),
            tag=tag, **filters,
        )
        entities = await render_statuses(session, urls, viewer, posts, filter_context="account")
    return paged_response(request, urls, entities, [post.id for post in posts])
