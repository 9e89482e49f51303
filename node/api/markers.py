"""Timeline markers (https://docs.joinmastodon.org/methods/markers/): apps save where the user
stopped reading the home timeline and notifications, and resume there on another device."""

from aiohttp import web

from storage.models import Marker
from storage.repositories import markers as marker_repo

from .. import context
from ..routing import add_routes
from .auth import require_scopes
from .body import Params, query_params, read_params
from .entities import format_time

TIMELINES = ("home", "notifications")


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/markers", get_markers),
        ("POST", "/api/v1/markers", save_markers),
    ])


def marker_to_entity(marker: Marker) -> dict:
    return {
        "last_read_id": str(marker.last_read_id),
        "version": marker.version,
        "updated_at": format_time(marker.updated_at),
    }


async def get_markers(request: web.Request) -> web.Response:
    """Only the timelines asked for (`timeline[]=home&timeline[]=notifications`), as Mastodon does."""
    wanted = [name for name in query_params(request).string_list("timeline") or [] if name in TIMELINES]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:statuses", session=session)
        markers = await marker_repo.get_markers(session, auth.account_id, sorted(set(wanted)))
    return web.json_response({marker.timeline: marker_to_entity(marker) for marker in markers})


async def save_markers(request: web.Request) -> web.Response:
    """`home[last_read_id]=…` and/or `notifications[last_read_id]=…` (form or JSON); answers the saved ones."""
    auth = await require_scopes(request, "write:statuses")
    params = await read_params(request)
    positions = {name: _last_read_id(marker) for name in TIMELINES if (marker := params.mapping(name)) is not None}
    async with request.app[context.SESSIONMAKER]() as session:
        saved = [
            await marker_repo.put_marker(session, auth.account_id, name, last_read_id)
            for name, last_read_id in positions.items()
        ]
        await session.commit()
    return web.json_response({marker.timeline: marker_to_entity(marker) for marker in saved})


def _last_read_id(marker: Params) -> int:
    last_read_id = marker.id("last_read_id")
    if last_read_id is None:
        raise marker.error("last_read_id", "is required")
    return last_read_id
