"""Filters v1 in the client API (https://docs.joinmastodon.org/methods/filters/#v1), answered
from the v2 rows as Mastodon 4 does: each v1 filter is one keyword, with its filter's
context and expiry, `irreversible` for a `hide` filter. A v1 filter made here is a v2 filter
titled by its phrase with that one keyword; one that shares its filter with other keywords
cannot be changed through v1 (Mastodon's 422)."""

from aiohttp import web

from storage.models import Filter, FilterKeyword
from storage.repositories import filters as filter_repo
from storage.states import FilterAction

from .. import actions, context
from ..actions.filters import UNSET, KeywordChange
from ..errors import ValidationError
from ..routing import add_routes
from .auth import require_scopes
from .body import Params, read_params
from .entities import format_id, format_time
from .params import path_id

ID = r"{id:\d+}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/filters", index),
        ("POST", "/api/v1/filters", create),
        ("GET", f"/api/v1/filters/{ID}", show),
        ("PUT", f"/api/v1/filters/{ID}", update),
        ("DELETE", f"/api/v1/filters/{ID}", destroy),
    ])


def v1_entity(word: FilterKeyword, row: Filter) -> dict:
    return {"id": format_id(word.id), "phrase": word.keyword, "context": list(row.context),
            "whole_word": word.whole_word, "expires_at": format_time(row.expires_at),
            "irreversible": row.action == FilterAction.HIDE}


def _action(params: Params) -> str | None:
    irreversible = params.boolean("irreversible")
    return None if irreversible is None else FilterAction.HIDE if irreversible else FilterAction.WARN


async def index(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:filters", session=session)
        rows = await filter_repo.list_filters(session, auth.account.id)
        words = await filter_repo.get_keywords(session, [row.id for row in rows])
    return web.json_response([v1_entity(word, row) for row in rows for word in words[row.id]])


async def show(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:filters", session=session)
        word, row = await filter_repo.get_keyword(session, auth.account.id, path_id(request, what="filter"))
    return web.json_response(v1_entity(word, row))


async def create(request: web.Request) -> web.Response:
    params = await read_params(request)
    phrase = params.string("phrase")
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:filters", session=session)
        row = await actions.create_filter(
            session, auth.account, title=phrase, context=params.string_list("context", max_items=10),
            action=_action(params), expires_in=params.integer("expires_in"),
            keywords=[KeywordChange(keyword=phrase, whole_word=params.boolean("whole_word", True))])
        [word] = (await filter_repo.get_keywords(session, [row.id]))[row.id]
        await session.commit()
    return web.json_response(v1_entity(word, row))


async def update(request: web.Request) -> web.Response:
    params = await read_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:filters", session=session)
        word, row = await filter_repo.get_keyword(session, auth.account.id, path_id(request, what="filter"))
        if len((await filter_repo.get_keywords(session, [row.id]))[row.id]) > 1:
            raise ValidationError("This filter has several keywords; change it through the v2 filters API")
        change = KeywordChange(id=word.id, keyword=params.string("phrase"), whole_word=params.boolean("whole_word"))
        await actions.update_filter(
            session, row, title=params.string("phrase"), context=params.string_list("context", max_items=10),
            action=_action(params), expires_in=params.integer("expires_in") if params.sent("expires_in") else UNSET,
            keywords=[change])
        await session.commit()
    return web.json_response(v1_entity(word, row))


async def destroy(request: web.Request) -> web.Response:
    """The keyword goes, and its filter with it when it was the filter's last rule."""
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:filters", session=session)
        word, row = await filter_repo.get_keyword(session, auth.account.id, path_id(request, what="filter"))
        await session.delete(word)
        await session.flush()
        rules = await filter_repo.get_keywords(session, [row.id]), await filter_repo.get_filter_statuses(session, [row.id])
        if not rules[0][row.id] and not rules[1][row.id]:
            await filter_repo.delete_filter(session, row)
        await session.commit()
    return web.json_response({})
