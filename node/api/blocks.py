"""Blocks and mutes in the client API (https://docs.joinmastodon.org/methods/accounts/#block,
#mute, /methods/blocks/, /methods/mutes/): each answers the Relationship, as Mastodon does;
the rules are node/actions/blocks.py's and mutes.py's."""

from aiohttp import web

from storage.repositories import blocks as block_repo
from storage.types import utcnow

from .. import context
from ..actions import blocks, mutes
from ..routing import add_routes
from .account_relations import get_account_or_404, relationships_of
from .auth import require_scopes
from .body import read_params
from .pagination import page_params, paged_response
from .status_entity import render_accounts

ID = r"{id:\d+}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("POST", f"/api/v1/accounts/{ID}/block", block),
        ("POST", f"/api/v1/accounts/{ID}/unblock", unblock),
        ("POST", f"/api/v1/accounts/{ID}/mute", mute),
        ("POST", f"/api/v1/accounts/{ID}/unmute", unmute),
        ("GET", "/api/v1/blocks", list_blocks),
        ("GET", "/api/v1/mutes", list_mutes),
    ])


async def _change(request: web.Request, scope: str, change) -> web.Response:
    """Run `change(session, account, target)` for the caller and the account in the path,
    then answer the Relationship."""
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, scope, "follow", session=session)
        target = await get_account_or_404(session, request.match_info["id"])
        await change(session, auth.account, target)
        await session.commit()
        [answer] = await relationships_of(session, auth.account.id, [target.id])
    return web.json_response(answer)


async def block(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    return await _change(request, "write:blocks",
                         lambda session, account, target: blocks.block(session, settings, account, target))


async def unblock(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    return await _change(request, "write:blocks",
                         lambda session, account, target: blocks.unblock(session, settings, account, target))


async def mute(request: web.Request) -> web.Response:
    params = await read_params(request)
    notifications = params.boolean("notifications", True)
    duration = params.integer("duration", 0, minimum=0, maximum=mutes.MAX_DURATION)
    return await _change(request, "write:mutes", lambda session, account, target: mutes.mute(
        session, account, target, notifications=notifications, duration=duration))


async def unmute(request: web.Request) -> web.Response:
    return await _change(request, "write:mutes", mutes.unmute)


async def _accounts_page(request: web.Request, scope: str, build) -> web.Response:
    page = page_params(request, default=40, maximum=80)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, scope, "follow", session=session)
        query, key = build(auth.account.id)
        rows = page.newest_first((await session.execute(page.apply(query, key))).all())
        urls = request.app[context.URLS]
        entities = await render_accounts(session, urls, [account for _key, account in rows])
    return paged_response(request, urls, entities, [row_key for row_key, _account in rows])


async def list_blocks(request: web.Request) -> web.Response:
    return await _accounts_page(request, "read:blocks", block_repo.blocks_page_query)


async def list_mutes(request: web.Request) -> web.Response:
    return await _accounts_page(request, "read:mutes", lambda account_id: block_repo.mutes_page_query(account_id, utcnow()))
