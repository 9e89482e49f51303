"""Lists in the client API (https://docs.joinmastodon.org/methods/lists/): the signed-in
user's lists, one list, create / update / delete, the accounts in a list, adding and removing
them, and which of the user's lists hold an account. The list's timeline is served beside
the other timelines (node/api/timelines.py) and streamed as `list` (node/api/list_stream.py).
"""

from aiohttp import web

from storage.models import List
from storage.repositories import accounts as account_repo
from storage.repositories import lists as list_repo

from .. import actions, context
from ..actions.lists import MAX_MEMBERS
from ..errors import ValidationError
from ..routing import add_routes
from .auth import require_scopes
from .body import read_params
from .entities import format_id
from .pagination import Page, page_params, paged_response
from .params import path_id
from .status_entity import render_accounts

ID = r"{id:\d+}"
MAX_ACCOUNT_IDS = 250


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/lists", index),
        ("POST", "/api/v1/lists", create),
        ("GET", f"/api/v1/lists/{ID}", show),
        ("PUT", f"/api/v1/lists/{ID}", update),
        ("DELETE", f"/api/v1/lists/{ID}", destroy),
        ("GET", f"/api/v1/lists/{ID}/accounts", members),
        ("POST", f"/api/v1/lists/{ID}/accounts", add_members),
        ("DELETE", f"/api/v1/lists/{ID}/accounts", remove_members),
        ("GET", f"/api/v1/accounts/{ID}/lists", lists_of_account),
    ])


def list_entity(row: List) -> dict:
    return {"id": format_id(row.id), "title": row.title, "replies_policy": row.replies_policy,
            "exclusive": row.exclusive}


async def index(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:lists", session=session)
        rows = await list_repo.list_lists(session, auth.account.id)
    return web.json_response([list_entity(row) for row in rows])


async def show(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:lists", session=session)
        row = await list_repo.get_list(session, auth.account.id, path_id(request, what="list"))
    return web.json_response(list_entity(row))


async def create(request: web.Request) -> web.Response:
    params = await read_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:lists", session=session)
        row = await actions.create_list(session, auth.account, params.string("title"),
                                        replies_policy=params.string("replies_policy"),
                                        exclusive=params.boolean("exclusive"))
        await session.commit()
    return web.json_response(list_entity(row))


async def update(request: web.Request) -> web.Response:
    params = await read_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:lists", session=session)
        row = await list_repo.get_list(session, auth.account.id, path_id(request, what="list"))
        actions.update_list(row, title=params.string("title"), replies_policy=params.string("replies_policy"),
                            exclusive=params.boolean("exclusive"))
        await session.commit()
    return web.json_response(list_entity(row))


async def destroy(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:lists", session=session)
        row = await list_repo.get_list(session, auth.account.id, path_id(request, what="list"))
        await list_repo.delete_list(session, row)
        await session.commit()
    return web.json_response({})


def _members_page(request: web.Request) -> Page:
    # Mastodon: `limit=0` answers every member at once, without paging.
    if request.query.get("limit", "").strip() == "0":
        return Page(limit=MAX_MEMBERS)
    return page_params(request, default=40, maximum=80)


async def members(request: web.Request) -> web.Response:
    page = _members_page(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:lists", session=session)
        row = await list_repo.get_list(session, auth.account.id, path_id(request, what="list"))
        query, key = list_repo.members_query(row.id)
        rows = page.newest_first((await session.execute(page.apply(query, key))).all())
        entities = await render_accounts(session, request.app[context.URLS], [account for _id, account in rows])
    return paged_response(request, request.app[context.URLS], entities, [account_id for account_id, _a in rows])


async def _account_ids(request: web.Request) -> list[int]:
    params = await read_params(request)
    ids = params.id_list("account_ids", max_items=MAX_ACCOUNT_IDS)
    if not ids:
        raise ValidationError("account_ids must name at least one account")
    return list(dict.fromkeys(ids))


async def add_members(request: web.Request) -> web.Response:
    account_ids = await _account_ids(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:lists", session=session)
        row = await list_repo.get_list(session, auth.account.id, path_id(request, what="list"))
        await actions.add_to_list(session, row, account_ids)
        await session.commit()
    return web.json_response({})


async def remove_members(request: web.Request) -> web.Response:
    account_ids = await _account_ids(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:lists", session=session)
        row = await list_repo.get_list(session, auth.account.id, path_id(request, what="list"))
        await actions.remove_from_list(session, row, account_ids)
        await session.commit()
    return web.json_response({})


async def lists_of_account(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:lists", session=session)
        account_id = path_id(request, what="account")
        await account_repo.get_account_by_id(session, account_id)
        rows = await list_repo.get_lists_with_member(session, auth.account.id, account_id)
    return web.json_response([list_entity(row) for row in rows])
