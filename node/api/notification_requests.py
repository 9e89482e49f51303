"""The notification policy and notification requests in the client API (Mastodon 4.3,
https://docs.joinmastodon.org/methods/notifications/#get-policy and #get-requests):
the policy (v2 with `accept` / `filter` / `drop`, v1 with booleans), the requests (one per
sender whose notifications the policy keeps aside), accepting and dismissing them, one or
several at once. Which notifications are kept aside is storage.repositories.notification_policy;
`hidden_notifications` is what the notification lists and streams leave out.

A request's id is its sender's account id: there is one request per sender, and it lasts as
long as notifications from that sender are kept aside.
"""

from aiohttp import web
from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Notification
from storage.repositories import notification_policy as policy_repo
from storage.repositories import posts as post_repo
from storage.repositories import statuses as status_repo
from storage.types import utcnow

from .. import context
from ..errors import ValidationError
from ..routing import add_routes
from .auth import require_scopes
from .body import read_params
from .entities import format_id, format_time
from .pagination import page_params, paged_response
from .params import path_id
from .status_entity import render_accounts, render_statuses
from .visibility import visible_posts

ID = r"{id:\d+}"
MAX_BULK = 100
V1_NAMES = {"filter_not_following": "for_not_following", "filter_not_followers": "for_not_followers",
            "filter_new_accounts": "for_new_accounts", "filter_private_mentions": "for_private_mentions"}


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v2/notifications/policy", show_policy),
        ("PATCH", "/api/v2/notifications/policy", update_policy),
        ("PUT", "/api/v2/notifications/policy", update_policy),
        ("GET", "/api/v1/notifications/policy", show_policy_v1),
        ("PATCH", "/api/v1/notifications/policy", update_policy_v1),
        ("PUT", "/api/v1/notifications/policy", update_policy_v1),
        ("GET", "/api/v1/notifications/requests", requests),
        ("GET", "/api/v1/notifications/requests/merged", merged),
        ("POST", "/api/v1/notifications/requests/accept", accept_many),
        ("POST", "/api/v1/notifications/requests/dismiss", dismiss_many),
        ("GET", f"/api/v1/notifications/requests/{ID}", show_request),
        ("POST", f"/api/v1/notifications/requests/{ID}/accept", accept),
        ("POST", f"/api/v1/notifications/requests/{ID}/dismiss", dismiss),
    ])


async def clauses(session: AsyncSession, account_id: int):
    return policy_repo.policy_clauses(await policy_repo.get_policy(session, account_id), account_id, utcnow())


async def hidden_notifications(session: AsyncSession, account_id: int, *, include_filtered: bool = False):
    """The condition on Notification of what the account's lists and streams leave out: what its
    policy drops, and what it filters unless `include_filtered`."""
    filtered, dropped = await clauses(session, account_id)
    return dropped if include_filtered else or_(filtered, dropped)


async def is_hidden(session: AsyncSession, row: Notification) -> bool:
    hidden = await hidden_notifications(session, row.account_id)
    return (await session.execute(select(Notification.id).where(Notification.id == row.id, hidden))).first() is not None


def _requests_query(account_id: int, filtered):
    latest = func.max(Notification.id)
    query = (select(latest, Notification.from_account_id, func.count(), func.min(Notification.created_at),
                    func.max(Notification.created_at))
             .where(Notification.account_id == account_id, filtered).group_by(Notification.from_account_id))
    return query, latest


async def _summary(session: AsyncSession, account_id: int) -> dict:
    filtered, _dropped = await clauses(session, account_id)
    requests, notifications = (await session.execute(select(
        func.count(func.distinct(Notification.from_account_id)), func.count()).where(
        Notification.account_id == account_id, filtered))).one()
    return {"pending_requests_count": int(requests), "pending_notifications_count": int(notifications)}


async def show_policy(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:notifications", session=session)
        policy = await policy_repo.get_policy(session, auth.account.id)
        return web.json_response({**policy, "summary": await _summary(session, auth.account.id)})


async def update_policy(request: web.Request) -> web.Response:
    params = await read_params(request)
    values = {name: params.string(name) for name in policy_repo.DEFAULTS if params.string(name) is not None}
    for name, value in values.items():
        if value not in policy_repo.ACTIONS:
            raise ValidationError(f"{name} must be one of {', '.join(policy_repo.ACTIONS)}, not {value!r}")
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:notifications", session=session)
        policy = await policy_repo.put_policy(session, auth.account.id, values)
        await session.commit()
        return web.json_response({**policy, "summary": await _summary(session, auth.account.id)})


def _v1(policy: dict, summary: dict) -> dict:
    # v1 has booleans: `drop` reads as filtering too (Mastodon answers the same).
    return {**{v1: policy[v2] != "accept" for v1, v2 in V1_NAMES.items()}, "summary": summary}


async def show_policy_v1(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:notifications", session=session)
        policy = await policy_repo.get_policy(session, auth.account.id)
        return web.json_response(_v1(policy, await _summary(session, auth.account.id)))


async def update_policy_v1(request: web.Request) -> web.Response:
    params = await read_params(request)
    values = {v2: "filter" if params.boolean(v1) else "accept" for v1, v2 in V1_NAMES.items()
              if params.boolean(v1) is not None}
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:notifications", session=session)
        policy = await policy_repo.put_policy(session, auth.account.id, values)
        await session.commit()
        return web.json_response(_v1(policy, await _summary(session, auth.account.id)))


async def _render_requests(session, urls, viewer, rows) -> list[dict]:
    """NotificationRequest entities for (latest id, sender id, count, first, last) rows."""
    senders = await status_repo.get_accounts_by_ids(session, [row[1] for row in rows])
    accounts = {int(e["id"]): e for e in await render_accounts(session, urls, list(senders.values()))}
    latest = {row[0]: row for row in rows}
    notifications = {n.id: n for n in (await session.execute(
        select(Notification).where(Notification.id.in_(list(latest))))).scalars()} if latest else {}
    posts = await post_repo.get_posts_by_ids(session, [n.post_id for n in notifications.values() if n.post_id])
    shown = await visible_posts(session, viewer, list(posts.values()))
    statuses = {int(e["id"]): e for e in await render_statuses(session, urls, viewer, shown)}
    entities = []
    for latest_id, sender_id, count, first, last in rows:
        if sender_id not in accounts:
            continue
        post_id = notifications[latest_id].post_id if latest_id in notifications else None
        entities.append({"id": format_id(sender_id), "created_at": format_time(first), "updated_at": format_time(last),
                         "account": accounts[sender_id], "notifications_count": str(count),
                         "last_status": statuses.get(post_id)})
    return entities


async def requests(request: web.Request) -> web.Response:
    page = page_params(request, default=40, maximum=80)
    urls = request.app[context.URLS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:notifications", session=session)
        query, latest = _requests_query(auth.account.id, (await clauses(session, auth.account.id))[0])
        query = query.having(*page.where(latest)).order_by(page.order(latest)).limit(page.limit)
        rows = page.newest_first((await session.execute(query)).all())
        entities = await _render_requests(session, urls, auth.account, rows)
    return paged_response(request, urls, entities, [row[0] for row in rows])


async def _request_rows(session, account_id: int, sender_ids: list[int]):
    query, _latest = _requests_query(account_id, (await clauses(session, account_id))[0])
    return (await session.execute(query.where(Notification.from_account_id.in_(sender_ids)))).all()


async def show_request(request: web.Request) -> web.Response:
    sender_id = path_id(request, what="notification request")
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:notifications", session=session)
        rows = await _request_rows(session, auth.account.id, [sender_id])
        entities = await _render_requests(session, request.app[context.URLS], auth.account, rows)
    if not entities:
        raise NotFound(f"notification request {sender_id} not found")
    return web.json_response(entities[0])


async def _answer(request: web.Request, sender_ids: list[int], *, accepting: bool, strict: bool) -> web.Response:
    """Accept (the sender's notifications join the list) or dismiss (they are deleted)."""
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:notifications", session=session)
        found = {row[1] for row in await _request_rows(session, auth.account.id, sender_ids)}
        if strict and not found:
            raise NotFound(f"notification request {sender_ids[0]} not found")
        filtered, _dropped = await clauses(session, auth.account.id)
        for sender_id in sorted(found):
            if accepting:
                await policy_repo.put_permission(session, auth.account.id, sender_id)
            else:
                await session.execute(delete(Notification).where(
                    Notification.account_id == auth.account.id, Notification.from_account_id == sender_id, filtered))
        await session.commit()
    return web.json_response({})


async def accept(request: web.Request) -> web.Response:
    return await _answer(request, [path_id(request, what="notification request")], accepting=True, strict=True)


async def dismiss(request: web.Request) -> web.Response:
    return await _answer(request, [path_id(request, what="notification request")], accepting=False, strict=True)


async def _bulk_ids(request: web.Request) -> list[int]:
    params = await read_params(request)
    try:
        ids = params.id_list("id", max_items=MAX_BULK) or []
    except ValidationError:
        # Mastodon.py sends `id[][]=1` (it adds `[]` to a name that ends in it), read as [{"": "1"}].
        items = params.mapping_list("id") or []
        if len(items) > MAX_BULK:
            raise params.error("id", f"has more than {MAX_BULK} items") from None
        ids = [item.id("") for item in items if item.id("") is not None]
    if not ids:
        raise ValidationError("id must name at least one notification request")
    return ids


async def accept_many(request: web.Request) -> web.Response:
    return await _answer(request, await _bulk_ids(request), accepting=True, strict=False)


async def dismiss_many(request: web.Request) -> web.Response:
    return await _answer(request, await _bulk_ids(request), accepting=False, strict=False)


async def merged(request: web.Request) -> web.Response:
    """Requests are read from the notifications themselves, so accepted ones are merged at once."""
    await require_scopes(request, "read:notifications")
    return web.json_response({"merged": True})
