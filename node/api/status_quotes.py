"""A post's quotes (remixes) in the client API, as Mastodon 4.5 offers them:

- `GET /api/v1/statuses/:id/quotes`: the accepted quotes of a post, newest first, paged by
  the quote's id (not the status id, as on Mastodon);
- `POST /api/v1/statuses/:id/quotes/:quoting_status_id/revoke`: the post's author takes back
  consent; answers the quoting status, its quote now `revoked`;
- `PUT /api/v1/statuses/:id/interaction_policy`: who may quote the post from now on
  (`quote_approval_policy`: public, followers or nobody).
"""

from aiohttp import web

from storage.errors import NotFound
from storage.repositories import posts as post_repo
from storage.repositories import quotes as quote_repo

from .. import actions, context
from ..routing import add_routes
from .auth import require_scopes
from .body import read_params
from .pagination import page_params, paged_response
from .params import path_id
from .status_entity import render_status, render_statuses
from .visibility import get_visible_post, visible_posts

ID = r"{id:\d+}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", f"/api/v1/statuses/{ID}/quotes", list_quotes),
        ("POST", rf"/api/v1/statuses/{ID}/quotes/{{quoting_id:\d+}}/revoke", revoke_quote),
        ("PUT", f"/api/v1/statuses/{ID}/interaction_policy", set_interaction_policy),
    ])


async def list_quotes(request: web.Request) -> web.Response:
    page = page_params(request)
    urls = request.app[context.URLS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:statuses", session=session)
        post = await get_visible_post(session, auth.account, path_id(request, what="post"))
        query, key = quote_repo.quotes_of_query(post.id)
        rows = page.newest_first((await session.execute(page.apply(query, key))).all())
        found = await post_repo.get_posts_by_ids(session, [quote.post_id for _key, quote in rows])
        shown = {p.id for p in await visible_posts(session, auth.account, list(found.values()))}
        kept = [(key, found[quote.post_id]) for key, quote in rows if quote.post_id in shown]
        entities = await render_statuses(session, urls, auth.account, [quoting for _key, quoting in kept])
    # Paged by the quote rows read, so a hidden quote does not end the list early.
    return paged_response(request, urls, entities, [row_key for row_key, _quote in rows])


async def revoke_quote(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:statuses", session=session)
        quoted = await get_visible_post(session, auth.account, path_id(request, what="post"))
        quoting = await post_repo.get_post_by_id(session, path_id(request, "quoting_id", what="post"))
        if quoting is None:
            raise NotFound(f"post {request.match_info['quoting_id']} not found")
        await actions.revoke_quote(session, request.app[context.SETTINGS], auth.account, quoted, quoting)
        await session.commit()
        entity = await render_status(session, request.app[context.URLS], auth.account, quoting)
    return web.json_response(entity)


async def set_interaction_policy(request: web.Request) -> web.Response:
    params = await read_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:statuses", session=session)
        post = await get_visible_post(session, auth.account, path_id(request, what="post"))
        policy = params.string("quote_approval_policy")
        post = await actions.set_quote_policy(session, request.app[context.SETTINGS], auth.account, post, policy)
        await session.commit()
        entity = await render_status(session, request.app[context.URLS], auth.account, post)
    return web.json_response(entity)
