"""Filters v2 in the client API (https://docs.joinmastodon.org/methods/filters/): the signed-in
user's filters, their keywords and their posts, each created, read, changed and deleted.
Where filters take effect is node/api/status_filters.py; v1 filters, answered from the same
rows, are node/api/filters_v1.py.
"""

from aiohttp import web

from storage.models import Filter
from storage.repositories import filters as filter_repo

from .. import actions, context
from ..actions.filters import UNSET, KeywordChange
from ..routing import add_routes
from .auth import require_scopes
from .body import Params, read_params
from .entities import format_id
from .params import path_id
from .status_filters import filter_entity, keyword_entity
from .visibility import get_visible_post

ID = r"{id:\d+}"
MAX_KEYWORD_CHANGES = 100


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v2/filters", index),
        ("POST", "/api/v2/filters", create),
        ("GET", f"/api/v2/filters/{ID}", show),
        ("PUT", f"/api/v2/filters/{ID}", update),
        ("DELETE", f"/api/v2/filters/{ID}", destroy),
        ("GET", f"/api/v2/filters/{ID}/keywords", keywords),
        ("POST", f"/api/v2/filters/{ID}/keywords", add_keyword),
        ("GET", f"/api/v2/filters/keywords/{ID}", show_keyword),
        ("PUT", f"/api/v2/filters/keywords/{ID}", update_keyword),
        ("DELETE", f"/api/v2/filters/keywords/{ID}", delete_keyword),
        ("GET", f"/api/v2/filters/{ID}/statuses", statuses),
        ("POST", f"/api/v2/filters/{ID}/statuses", add_status),
        ("GET", f"/api/v2/filters/statuses/{ID}", show_status),
        ("DELETE", f"/api/v2/filters/statuses/{ID}", delete_status),
    ])


async def render_filters(session, rows: list[Filter]) -> list[dict]:
    ids = [row.id for row in rows]
    words, posts = await filter_repo.get_keywords(session, ids), await filter_repo.get_filter_statuses(session, ids)
    return [filter_entity(row, words[row.id], posts[row.id]) for row in rows]


def keyword_changes(params: Params) -> list[KeywordChange]:
    """`keywords_attributes[][keyword]`, `[whole_word]`, `[id]` and `[_destroy]` (Rails' nested attributes)."""
    items = params.mapping_list("keywords_attributes") or []
    if len(items) > MAX_KEYWORD_CHANGES:
        raise params.error("keywords_attributes", f"has more than {MAX_KEYWORD_CHANGES} items")
    return [KeywordChange(id=item.id("id"), keyword=item.string("keyword"), whole_word=item.boolean("whole_word"),
                          destroy=bool(item.boolean("_destroy", False))) for item in items]


def filter_fields(params: Params) -> dict:
    fields = {"title": params.string("title"), "context": params.string_list("context", max_items=10),
              "action": params.string("filter_action"), "keywords": keyword_changes(params)}
    if params.sent("expires_in"):
        fields["expires_in"] = params.integer("expires_in")
    return fields


async def index(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:filters", session=session)
        return web.json_response(await render_filters(session, await filter_repo.list_filters(session, auth.account.id)))


async def show(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:filters", session=session)
        row = await filter_repo.get_filter(session, auth.account.id, path_id(request, what="filter"))
        return web.json_response((await render_filters(session, [row]))[0])


async def create(request: web.Request) -> web.Response:
    fields = filter_fields(await read_params(request))
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:filters", session=session)
        row = await actions.create_filter(session, auth.account, **fields)
        await session.commit()
        return web.json_response((await render_filters(session, [row]))[0])


async def update(request: web.Request) -> web.Response:
    fields = filter_fields(await read_params(request))
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:filters", session=session)
        row = await filter_repo.get_filter(session, auth.account.id, path_id(request, what="filter"))
        await actions.update_filter(session, row, **{"expires_in": UNSET, **fields})
        await session.commit()
        return web.json_response((await render_filters(session, [row]))[0])


async def destroy(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:filters", session=session)
        row = await filter_repo.get_filter(session, auth.account.id, path_id(request, what="filter"))
        await filter_repo.delete_filter(session, row)
        await session.commit()
    return web.json_response({})


async def keywords(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:filters", session=session)
        row = await filter_repo.get_filter(session, auth.account.id, path_id(request, what="filter"))
        words = (await filter_repo.get_keywords(session, [row.id]))[row.id]
    return web.json_response([keyword_entity(word) for word in words])


async def add_keyword(request: web.Request) -> web.Response:
    params = await read_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:filters", session=session)
        row = await filter_repo.get_filter(session, auth.account.id, path_id(request, what="filter"))
        word = await actions.add_keyword(session, row, params.string("keyword"), params.boolean("whole_word"))
        await session.commit()
    return web.json_response(keyword_entity(word))


async def show_keyword(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:filters", session=session)
        word, _row = await filter_repo.get_keyword(session, auth.account.id, path_id(request, what="filter keyword"))
    return web.json_response(keyword_entity(word))


async def update_keyword(request: web.Request) -> web.Response:
    params = await read_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:filters", session=session)
        word, _row = await filter_repo.get_keyword(session, auth.account.id, path_id(request, what="filter keyword"))
        actions.update_keyword(word, keyword=params.string("keyword"), whole_word=params.boolean("whole_word"))
        await session.commit()
    return web.json_response(keyword_entity(word))


async def delete_keyword(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:filters", session=session)
        word, _row = await filter_repo.get_keyword(session, auth.account.id, path_id(request, what="filter keyword"))
        await session.delete(word)
        await session.commit()
    return web.json_response({})


def _status_entity(status) -> dict:
    return {"id": format_id(status.id), "status_id": format_id(status.post_id)}


async def statuses(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:filters", session=session)
        row = await filter_repo.get_filter(session, auth.account.id, path_id(request, what="filter"))
        rows = (await filter_repo.get_filter_statuses(session, [row.id]))[row.id]
    return web.json_response([_status_entity(status) for status in rows])


async def add_status(request: web.Request) -> web.Response:
    params = await read_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:filters", session=session)
        row = await filter_repo.get_filter(session, auth.account.id, path_id(request, what="filter"))
        post_id = params.id("status_id", not_found="post")
        if post_id is None:
            raise params.error("status_id", "is required")
        post = await get_visible_post(session, auth.account, post_id)
        status = await actions.add_filter_status(session, row, post.id)
        await session.commit()
    return web.json_response(_status_entity(status))


async def show_status(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:filters", session=session)
        status, _row = await filter_repo.get_filter_status(session, auth.account.id,
                                                           path_id(request, what="filter status"))
    return web.json_response(_status_entity(status))


async def delete_status(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:filters", session=session)
        status, _row = await filter_repo.get_filter_status(session, auth.account.id,
                                                           path_id(request, what="filter status"))
        await session.delete(status)
        await session.commit()
    return web.json_response({})
