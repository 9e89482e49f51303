"""Timeline markers (https://docs.joinmastodon.org/methods/markers/): apps save where the user
stopped reading the home timeline and notifications, and resume there on another device."""

from aiohttp import web

from storage.models import Marker
from storage.repositories import markers as marker_repo

from .. import context
from ..errors import ValidationError
from ..routing import add_routes
from .auth import require_scopes
from .body import read_params
from .entities import format_time

TIMELINES = ("home", "notifications")
MAX_ID = (1 << 63) - 1


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
    wanted = [name for name in request.query.getall("timeline[]", []) + request.query.getall("timeline", [])
              if name in TIMELINES]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:statuses", session=session)
        markers = await marker_repo.get_markers(session, auth.account_id, sorted(set(wanted)))
    return web.json_response({marker.timeline: marker_to_entity(marker) for marker in markers})


async def save_markers(request: web.Request) -> web.Response:
    """`home[last_read_id]=…` and/or `notifications[last_read_id]=…` (form or JSON); answers the saved ones."""
    auth = await require_scopes(request, "write:statuses")
    params = await read_params(request)
    positions = {name: _last_read_id(name, params[name]) for name in TIMELINES if name in params}
    async with request.app[context.SESSIONMAKER]() as session:
        saved = [
            await marker_repo.put_marker(session, auth.account_id, name, last_read_id)
            for name, last_read_id in positions.items()
        ]
        await session.commit()
    return web.json_response({marker.timeline: marker_to_entity(marker) for marker in saved})


def _last_read_id(timeline: str, value) -> int:
    raw = value.get("last_read_id") if isinstance(value, dict) else None
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_ID:
        raise ValidationError(f"{timeline}[last_read_id] must be a status or notification id")
    return int(raw)
