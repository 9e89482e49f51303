"""Scheduled statuses (https://docs.joinmastodon.org/methods/scheduled_statuses/): a status
posted with `scheduled_at` is kept (node/actions/scheduled.py) and answered as a
ScheduledStatus; the user lists, reads, moves and cancels them here; the workers post them."""

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, ScheduledStatus
from storage.repositories import posts as post_repo

from .. import context
from ..actions import scheduled
from ..routing import add_routes
from ..urls import Urls
from .auth import require_scopes
from .body import read_params
from .entities import format_time
from .media_entity import media_to_entity
from .pagination import page_params, paged_response
from .params import path_id

ID = r"{id:\d+}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/scheduled_statuses", list_scheduled),
        ("GET", f"/api/v1/scheduled_statuses/{ID}", get_scheduled),
        ("PUT", f"/api/v1/scheduled_statuses/{ID}", move_scheduled),
        ("DELETE", f"/api/v1/scheduled_statuses/{ID}", cancel_scheduled),
    ])


async def scheduled_to_entity(session: AsyncSession, urls: Urls, row: ScheduledStatus) -> dict:
    media_ids = [int(media_id) for media_id in row.media_ids or []]
    media = {item.id: item for item in await post_repo.get_media_by_ids(session, media_ids)
             if item.account_id == row.account_id}
    params = dict(row.params or {})
    return {
        "id": str(row.id),
        "scheduled_at": format_time(row.scheduled_at),
        "params": {
            "text": params.get("text") or "",
            "poll": params.get("poll"),
            "media_ids": [str(media_id) for media_id in media_ids] or None,
            "sensitive": params.get("sensitive"),
            "spoiler_text": params.get("spoiler_text") or None,
            "visibility": params.get("visibility") or "public",
            "in_reply_to_id": params.get("in_reply_to_id"),
            "language": params.get("language"),
            "application_id": None,
            "scheduled_at": None,
            "idempotency": None,
            "with_rate_limit": False,
        },
        "media_attachments": [media_to_entity(urls, media[media_id]) for media_id in media_ids if media_id in media],
    }


async def schedule_status(request: web.Request, session: AsyncSession, account: Account, fields: dict,
                          scheduled_at: str | None) -> web.Response:
    """`POST /api/v1/statuses` with `scheduled_at`: called by node/api/statuses.py."""
    row = await scheduled.schedule(session, account, fields, scheduled.parse_scheduled_at(scheduled_at))
    await session.commit()
    return web.json_response(await scheduled_to_entity(session, request.app[context.URLS], row))


async def _own(request: web.Request, session: AsyncSession, account: Account) -> ScheduledStatus:
    row = await session.get(ScheduledStatus, path_id(request, what="scheduled status"))
    if row is None or row.account_id != account.id:
        raise NotFound("Record not found")
    return row


async def list_scheduled(request: web.Request) -> web.Response:
    page = page_params(request, default=20, maximum=40)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:statuses", session=session)
        query = select(ScheduledStatus).where(ScheduledStatus.account_id == auth.account.id)
        rows = page.newest_first(list((await session.execute(page.apply(query, ScheduledStatus.id))).scalars()))
        urls = request.app[context.URLS]
        entities = [await scheduled_to_entity(session, urls, row) for row in rows]
    return paged_response(request, urls, entities, [row.id for row in rows])


async def get_scheduled(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:statuses", session=session)
        row = await _own(request, session, auth.account)
        return web.json_response(await scheduled_to_entity(session, request.app[context.URLS], row))


async def move_scheduled(request: web.Request) -> web.Response:
    params = await read_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:statuses", session=session)
        row = await _own(request, session, auth.account)
        when = params.string("scheduled_at")
        if when is not None:
            await scheduled.reschedule(session, auth.account, row, scheduled.parse_scheduled_at(when))
        await session.commit()
        return web.json_response(await scheduled_to_entity(session, request.app[context.URLS], row))


async def cancel_scheduled(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:statuses", session=session)
        row = await _own(request, session, auth.account)
        await session.delete(row)
        await session.commit()
    return web.json_response({})
