"""Finding people: the profile directory (`GET /api/v1/directory`: discoverable accounts,
recently active or new, local or all) and familiar followers
(`GET /api/v1/accounts/familiar_followers`: whom the user follows among each account's
followers). See https://docs.joinmastodon.org/methods/directory/ and
.../methods/accounts/#familiar_followers."""

from aiohttp import web

from storage.repositories import endorsements as endorsement_repo

from .. import context
from ..routing import add_routes
from .auth import optional_scopes, require_scopes
from .body import query_params, read_params
from .entities import format_id
from .status_entity import render_accounts

ORDERS = ("active", "new")
MAX_IDS = 40
FAMILIAR_PER_ACCOUNT = 5  # Mastodon shows a few; apps show "followed by a, b and n others"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/directory", directory),
        ("GET", "/api/v1/accounts/familiar_followers", familiar_followers),
    ])


async def directory(request: web.Request) -> web.Response:
    query = query_params(request)
    order = query.string("order") or "active"
    if order not in ORDERS:
        raise query.error("order", f"must be one of {', '.join(ORDERS)}")
    offset = query.integer("offset", 0, minimum=0, maximum=100_000)
    limit = query.integer("limit", 40, minimum=1, maximum=80)
    local = query.boolean("local", False)
    async with request.app[context.SESSIONMAKER]() as session:
        await optional_scopes(request, "read:accounts", session=session)
        accounts = await endorsement_repo.list_directory(session, order=order, local=local, offset=offset, limit=limit)
        entities = await render_accounts(session, request.app[context.URLS], accounts)
    return web.json_response(entities)


async def familiar_followers(request: web.Request) -> web.Response:
    # `id[]=…` in the query; Mastodon.py sends the ids as a JSON body, even on this GET.
    params = await read_params(request, status=400)
    ids = list(dict.fromkeys(params.id_list("id", max_items=MAX_IDS) or []))
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:follows", session=session)
        found = await endorsement_repo.familiar_followers(session, auth.account.id, ids, FAMILIAR_PER_ACCOUNT)
        urls = request.app[context.URLS]
        answer = [{"id": format_id(target_id), "accounts": await render_accounts(session, urls, accounts)}
                  for target_id, accounts in found.items()]
    return web.json_response(answer)
