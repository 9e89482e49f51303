"""Grouped notifications in the client API (Mastodon 4.3,
https://docs.joinmastodon.org/methods/grouped_notifications/): `/api/v2/notifications` with
`types[]`, `exclude_types[]`, `account_id` and `grouped_types[]`, one group by its key, its
accounts, dismissing it, and the unread count of groups.

A page holds up to `limit` groups, found by reading the newest notifications (per the
cursors) and folding them by group key (storage.repositories.notification_groups); each
group also says how many notifications it holds in all and who sent the latest (up to 8).
Accounts come in full (`partial_accounts` is for servers that shorten some; Mastodon allows
leaving it out). A group whose post the user may not see, or a filter hides, is left out.
"""

from dataclasses import dataclass, field

from aiohttp import web
from sqlalchemy import func, select

from storage.errors import NotFound
from storage.models import Account, Notification
from storage.repositories import markers as marker_repo
from storage.repositories import notification_groups as group_repo
from storage.repositories import notifications as notification_repo
from storage.repositories import posts as post_repo
from storage.repositories import statuses as status_repo

from .. import context
from ..routing import add_routes
from .auth import require_scopes
from .body import query_params
from .entities import format_id, format_time
from .notification_requests import hidden_notifications
from .pagination import link_header, page_params
from .status_entity import render_accounts, render_statuses
from .visibility import visible_posts

SAMPLE_ACCOUNTS = 8
ROWS_PER_GROUP = 10  # notifications read per group asked for, to fill a page of groups
MAX_ROWS = 800
KEY = r"{group_key:[a-z_]+-[0-9-]+}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v2/notifications", index),
        ("GET", "/api/v2/notifications/unread_count", unread_count),
        ("GET", f"/api/v2/notifications/{KEY}", show),
        ("GET", f"/api/v2/notifications/{KEY}/accounts", group_accounts),
        ("POST", f"/api/v2/notifications/{KEY}/dismiss", dismiss),
    ])


@dataclass
class Group:
    key: str
    rows: list[Notification] = field(default_factory=list)  # this page's, newest first
    count: int = 1
    latest_id: int = 0
    sample_ids: list[int] = field(default_factory=list)


def _query_filters(request: web.Request) -> tuple[dict, tuple[str, ...]]:
    params = query_params(request)
    types, excluded = (params.string_list(name, max_items=50) or [] for name in ("types", "exclude_types"))
    grouped = params.string_list("grouped_types", max_items=50)
    filters = {"types": [t for t in types if t], "exclude_types": [t for t in excluded if t],
               "from_account_id": params.id("account_id")}
    return filters, group_repo.GROUPABLE if grouped is None else tuple(t for t in grouped if t)


def fold(rows: list[Notification], grouped_types, limit: int) -> list[Group]:
    """Fold rows (in reading order) into at most `limit` groups, in the order first seen.
    Reading stops at the first row of a group past the limit, so a page covers an unbroken run
    of notifications and the next page (from its oldest id) skips none; a group may go on in
    the next page, as on Mastodon."""
    groups: dict[str, Group] = {}
    for row in rows:
        key = group_repo.group_key(row, grouped_types)
        if key not in groups:
            if len(groups) >= limit:
                break
            groups[key] = Group(key, latest_id=row.id, sample_ids=[row.from_account_id])
        groups[key].rows.append(row)
    return list(groups.values())


async def _complete(session, account_id: int, groups: list[Group], extra_conditions) -> None:
    """Each grouped group's total count, newest id and latest senders, over all its notifications."""
    for group in groups:
        if group.key.startswith("ungrouped-"):
            continue
        conditions = [Notification.account_id == account_id, *group_repo.group_conditions(group.key),
                      *extra_conditions]
        count, latest = (await session.execute(
            select(func.count(), func.max(Notification.id)).where(*conditions))).one()
        group.count, group.latest_id = int(count), int(latest or group.rows[0].id)
        senders = await session.execute(select(Notification.from_account_id).where(*conditions)
                                        .order_by(Notification.id.desc()).limit(SAMPLE_ACCOUNTS * 4))
        group.sample_ids = list(dict.fromkeys(senders.scalars()))[:SAMPLE_ACCOUNTS]


async def render_groups(session, urls, viewer: Account, groups: list[Group]) -> dict:
    """The GroupedNotificationsResults body: groups, and the accounts and statuses they name."""
    for group in groups:
        group.rows.sort(key=lambda row: row.id, reverse=True)
    post_ids = {group.rows[0].post_id for group in groups if group.rows[0].post_id}
    posts = await post_repo.get_posts_by_ids(session, post_ids)
    shown = await visible_posts(session, viewer, list(posts.values()))
    statuses = await render_statuses(session, urls, viewer, shown, filter_context="notifications")
    kept_posts = {int(entity["id"]) for entity in statuses}
    people = await status_repo.get_accounts_by_ids(session, {i for group in groups for i in group.sample_ids})
    entities = []
    for group in groups:
        newest = group.rows[0]
        if newest.post_id is not None and newest.post_id not in kept_posts:
            continue
        entity = {"group_key": group.key, "notifications_count": group.count, "type": newest.type,
                  "most_recent_notification_id": format_id(max(group.latest_id, newest.id)),
                  "page_min_id": format_id(group.rows[-1].id), "page_max_id": format_id(newest.id),
                  "latest_page_notification_at": format_time(newest.created_at),
                  "sample_account_ids": [format_id(i) for i in group.sample_ids if i in people]}
        if newest.post_id is not None:
            entity["status_id"] = format_id(newest.post_id)
        entities.append(entity)
    named = {int(i) for entity in entities for i in entity["sample_account_ids"]}
    accounts = await render_accounts(session, urls, [people[i] for i in sorted(named)])
    return {"accounts": accounts, "statuses": [s for s in statuses if s["id"] in
                                               {e.get("status_id") for e in entities}],
            "notification_groups": entities}


async def index(request: web.Request) -> web.Response:
    page = page_params(request, default=40, maximum=80)
    filters, grouped_types = _query_filters(request)
    include_filtered = query_params(request).boolean("include_filtered", False)
    urls = request.app[context.URLS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:notifications", session=session)
        query, key = notification_repo.notifications_query(auth.account.id, **filters)
        hidden = await hidden_notifications(session, auth.account.id, include_filtered=include_filtered)
        query = query.where(~hidden)
        wide = type(page)(max_id=page.max_id, since_id=page.since_id, min_id=page.min_id,
                          limit=min(page.limit * ROWS_PER_GROUP, MAX_ROWS))
        rows = [row for _id, row in (await session.execute(wide.apply(query, key))).all()]
        groups = fold(rows, grouped_types, page.limit)  # ascending for min_id: the oldest groups above it
        await _complete(session, auth.account.id, groups, [~hidden])
        body = await render_groups(session, urls, auth.account, groups)
    ids = sorted((row.id for group in groups for row in group.rows), reverse=True)
    headers = link_header(request, urls, ids[0] if ids else None, ids[-1] if ids else None)
    body["notification_groups"].sort(key=lambda entity: int(entity["page_max_id"]), reverse=True)
    return web.json_response(body, headers=headers)


async def _group(request: web.Request, session, account_id: int) -> list[Notification]:
    query = group_repo.group_query(account_id, request.match_info["group_key"])
    rows = list((await session.execute(query)).scalars()) if query is not None else []
    if not rows:
        raise NotFound(f"notification group {request.match_info['group_key']} not found")
    return rows


async def show(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:notifications", session=session)
        rows = await _group(request, session, auth.account.id)
        group = Group(request.match_info["group_key"], rows=rows, count=len(rows), latest_id=rows[0].id,
                      sample_ids=list(dict.fromkeys(row.from_account_id for row in rows))[:SAMPLE_ACCOUNTS])
        body = await render_groups(session, request.app[context.URLS], auth.account, [group])
    if not body["notification_groups"]:
        raise NotFound(f"notification group {group.key} not found")
    return web.json_response(body)


async def group_accounts(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:notifications", session=session)
        rows = await _group(request, session, auth.account.id)
        people = await status_repo.get_accounts_by_ids(session, {row.from_account_id for row in rows})
        ordered = [people[i] for i in dict.fromkeys(row.from_account_id for row in rows) if i in people]
        entities = await render_accounts(session, request.app[context.URLS], ordered)
    return web.json_response(entities)


async def dismiss(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:notifications", session=session)
        for row in await _group(request, session, auth.account.id):
            await session.delete(row)
        await session.commit()
    return web.json_response({})


async def unread_count(request: web.Request) -> web.Response:
    """Groups with a notification after the `notifications` marker; `limit` (default 100, at
    most 1000) caps the count, as on Mastodon."""
    filters, grouped_types = _query_filters(request)
    limit = max(1, min(query_params(request).integer("limit", 100, minimum=1), 1000))
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:notifications", session=session)
        markers = await marker_repo.get_markers(session, auth.account.id, ["notifications"])
        after = markers[0].last_read_id if markers else 0
        query, key = notification_repo.notifications_query(auth.account.id, **filters)
        query = query.where(~await hidden_notifications(session, auth.account.id))
        rows = (await session.execute(query.where(key > after).order_by(key.desc()).limit(MAX_ROWS))).all()
    count = len(fold([row for _id, row in rows], grouped_types, limit))
    return web.json_response({"count": count})
