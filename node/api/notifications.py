"""Notifications in the client API (https://docs.joinmastodon.org/methods/notifications/):
the paged list with `types[]` / `exclude_types[]` / `account_id` (without what the notification
policy keeps aside, unless `include_filtered`), one by id, dismiss, clear
and the unread count.

Rows are written where the event happens: node.actions.common.notify for local actions and
the inbox handlers for remote ones (Like, Announce, Follow, mentions in a Create).
"""

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, Notification
from storage.repositories import markers as marker_repo
from storage.repositories.notification_groups import group_key
from storage.repositories import notifications as notification_repo
from storage.repositories import posts as post_repo
from storage.repositories import statuses as status_repo

from .. import context
from ..routing import add_routes
from ..urls import Urls
from .auth import require_scopes
from .body import query_params, read_params
from .entities import format_id, format_time
from .notification_requests import hidden_notifications
from .pagination import page_params, paged_response
from .params import path_id
from .status_entity import render_accounts, render_statuses
from ..actions.hiding import shown_notifications
from .visibility import visible_posts

ID = r"{id:\d+}"
MAX_UNREAD = 1000


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/notifications", list_notifications),
        ("GET", "/api/v1/notifications/unread_count", unread_count),
        ("POST", "/api/v1/notifications/clear", clear),
        ("POST", "/api/v1/notifications/dismiss", dismiss),  # the form before Mastodon 3.1
        ("GET", f"/api/v1/notifications/{ID}", get_notification),
        ("POST", f"/api/v1/notifications/{ID}/dismiss", dismiss),
    ])


async def render_notifications(session: AsyncSession, urls: Urls, viewer: Account,
                               rows: list[Notification]) -> list[dict]:
    """Notification entities in two batched renders; one whose status is gone or hidden is left out."""
    rows = await shown_notifications(session, viewer, rows)
    senders = await status_repo.get_accounts_by_ids(session, [row.from_account_id for row in rows])
    accounts = dict(zip(senders, await render_accounts(session, urls, list(senders.values()))))
    posts = await post_repo.get_posts_by_ids(session, [row.post_id for row in rows if row.post_id])
    shown = await visible_posts(session, viewer, list(posts.values()))
    rendered = await render_statuses(session, urls, viewer, shown, filter_context="notifications")
    statuses = {int(entity["id"]): entity for entity in rendered}
    entities = []
    for row in rows:
        if row.from_account_id not in accounts or (row.post_id is not None and row.post_id not in statuses):
            continue
        entity = {"id": format_id(row.id), "type": row.type, "group_key": group_key(row),
                  "created_at": format_time(row.created_at), "account": accounts[row.from_account_id]}
        if row.post_id is not None:
            entity["status"] = statuses[row.post_id]
        entities.append(entity)
    return entities


def _filters(request: web.Request) -> dict:
    """`types[]`, `exclude_types[]` (blank items left out) and `account_id`, the sender."""
    params = query_params(request)
    types, excluded = (params.string_list(name) or [] for name in ("types", "exclude_types"))
    return {"types": [name for name in types if name], "exclude_types": [name for name in excluded if name],
            "from_account_id": params.id("account_id")}


async def list_notifications(request: web.Request) -> web.Response:
    page = page_params(request, default=40, maximum=80)
    urls = request.app[context.URLS]
    filters = _filters(request)
    include_filtered = query_params(request).boolean("include_filtered", False)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:notifications", session=session)
        query, key = notification_repo.notifications_query(auth.account.id, **filters)
        query = query.where(~await hidden_notifications(session, auth.account.id, include_filtered=include_filtered))
        rows = [row for _id, row in page.newest_first((await session.execute(page.apply(query, key))).all())]
        entities = await render_notifications(session, urls, auth.account, rows)
    return paged_response(request, urls, entities, [row.id for row in rows])


async def get_notification(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:notifications", session=session)
        row = await notification_repo.get_notification(session, auth.account.id,
                                                       path_id(request, what="notification"))
        entities = await render_notifications(session, request.app[context.URLS], auth.account, [row] if row else [])
    if not entities:
        raise NotFound(f"notification {request.match_info['id']} not found")
    return web.json_response(entities[0])


async def dismiss(request: web.Request) -> web.Response:
    """Dismissing an unknown notification is a 404, as on Mastodon."""
    if "id" in request.match_info:
        notification_id = path_id(request, what="notification")
    else:
        notification_id = (await read_params(request)).id("id", not_found="notification") or 0
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:notifications", session=session)
        if await notification_repo.get_notification(session, auth.account.id, notification_id) is None:
            raise NotFound(f"notification {notification_id} not found")
        await notification_repo.delete_notification(session, auth.account.id, notification_id)
        await session.commit()
    return web.json_response({})


async def clear(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:notifications", session=session)
        await notification_repo.delete_notifications(session, auth.account.id)
        await session.commit()
    return web.json_response({})


async def unread_count(request: web.Request) -> web.Response:
    """Notifications after the `notifications` marker (all of them without one), capped like Mastodon's."""
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:notifications", session=session)
        markers = await marker_repo.get_markers(session, auth.account.id, ["notifications"])
        after = markers[0].last_read_id if markers else 0
        count = await notification_repo.count_notifications_after(
            session, auth.account.id, after, MAX_UNREAD, exclude=await hidden_notifications(session, auth.account.id))
    return web.json_response({"count": count})
