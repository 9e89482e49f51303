"""Pinning one's own posts to the profile (https://docs.joinmastodon.org/methods/statuses/#pin);
the rules and the federation are in node/actions/pins.py."""

from aiohttp import web

from .. import context
from ..actions import pins
from ..actions.common import get_post
from ..routing import add_routes
from .auth import require_scopes
from .params import path_id
from .status_entity import render_status

ID = r"{id:\d+}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("POST", f"/api/v1/statuses/{ID}/pin", pin_status),
        ("POST", f"/api/v1/statuses/{ID}/unpin", unpin_status),
    ])


async def _answer(request: web.Request, action) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:accounts", session=session)
        post = await get_post(session, path_id(request, what="post"))
        post = await action(session, auth.account, post)
        await session.commit()
        entity = await render_status(session, request.app[context.URLS], auth.account, post)
    return web.json_response(entity)


async def pin_status(request: web.Request) -> web.Response:
    return await _answer(request, pins.pin)


async def unpin_status(request: web.Request) -> web.Response:
    return await _answer(request, pins.unpin)
