"""The accounts half of Mastodon's admin API that moderation apps use
(https://docs.joinmastodon.org/methods/admin/accounts/): the list (v1 and v2 filters), one
account, approve and reject a pending sign-up, the moderation `action` (silence, suspend),
unsuspend and unsilence. The rules are node/actions/accounts_moderation.py's."""

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, User
from storage.repositories import accounts as account_repo
from storage.repositories.admin_accounts import STATUSES, admin_accounts_query

from .. import context
from ..actions import accounts_moderation as moderation
from ..actions import reports as report_actions
from ..errors import ValidationError
from ..routing import add_routes
from ..urls import Urls
from .account_relations import get_account_or_404
from .admin_auth import require_admin
from .body import Params, query_params, read_params
from .entities import format_id, format_time
from .pagination import page_params, paged_response
from .status_entity import render_accounts

ID = r"{id:\d+}"
ACTIONS = ("none", "silence", "suspend")


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/admin/accounts", list_v1),
        ("GET", "/api/v2/admin/accounts", list_v2),
        ("GET", f"/api/v1/admin/accounts/{ID}", get_one),
        ("POST", f"/api/v1/admin/accounts/{ID}/approve", approve),
        ("POST", f"/api/v1/admin/accounts/{ID}/reject", reject),
        ("POST", f"/api/v1/admin/accounts/{ID}/action", action),
        ("POST", f"/api/v1/admin/accounts/{ID}/unsuspend", unsuspend),
        ("POST", f"/api/v1/admin/accounts/{ID}/unsilence", unsilence),
    ])


async def admin_entities(session: AsyncSession, urls: Urls, rows: list[tuple[Account, User | None]]) -> list[dict]:
    """Admin::Account entities (https://docs.joinmastodon.org/entities/Admin_Account/)."""
    accounts = await render_accounts(session, urls, [account for account, _user in rows])
    return [{
        "id": format_id(account.id),
        "username": account.username,
        "domain": account.domain,
        "created_at": format_time(account.created_at),
        "email": user.email if user is not None else "",
        "ip": None,
        "ips": [],
        "locale": "",
        "invite_request": None,
        "role": {"id": "-99" if user is not None and user.admin else "0",
                 "name": "Admin" if user is not None and user.admin else "", "permissions": "1" if user is not None
                 and user.admin else "0", "color": "", "highlighted": bool(user is not None and user.admin)},
        "confirmed": True,
        "approved": user.approved if user is not None else True,
        "disabled": False,
        "silenced": account.silenced_at is not None,
        "suspended": account.suspended_at is not None,
        "account": entity,
    } for (account, user), entity in zip(rows, accounts)]


def _v1_filters(query: Params) -> dict:
    origin = "local" if query.boolean("local", False) else "remote" if query.boolean("remote", False) else None
    status = next((name for name in STATUSES if query.boolean(name, False)), None)
    return {"origin": origin, "status": status}


def _v2_filters(query: Params) -> dict:
    origin, status = query.string("origin"), query.string("status")
    if origin not in (None, "", "local", "remote"):
        raise ValidationError("origin must be local or remote", status=400)
    if status not in (None, "", *STATUSES):
        raise ValidationError(f"status must be one of {', '.join(STATUSES)}", status=400)
    return {"origin": origin or None, "status": status or None}


async def _list(request: web.Request, filters) -> web.Response:
    query = query_params(request)
    chosen = filters(query)
    page = page_params(request, default=100, maximum=200)
    async with request.app[context.SESSIONMAKER]() as session:
        await require_admin(request, "admin:read:accounts", session)
        built, key = admin_accounts_query(**chosen, username=query.string("username", max_length=100),
                                          email=query.string("email", max_length=320))
        rows = page.newest_first((await session.execute(page.apply(built, key))).all())
        urls = request.app[context.URLS]
        entities = await admin_entities(session, urls, [(account, user) for _key, account, user in rows])
    return paged_response(request, urls, entities, [row[0] for row in rows])


async def list_v1(request: web.Request) -> web.Response:
    return await _list(request, _v1_filters)


async def list_v2(request: web.Request) -> web.Response:
    return await _list(request, _v2_filters)


async def _entity(session: AsyncSession, request: web.Request, account: Account) -> dict:
    user = await account_repo.get_user_by_account_id(session, account.id) if account.domain is None else None
    [entity] = await admin_entities(session, request.app[context.URLS], [(account, user)])
    return entity


async def get_one(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        await require_admin(request, "admin:read:accounts", session)
        account = await get_account_or_404(session, request.match_info["id"])
        return web.json_response(await _entity(session, request, account))


async def _moderate(request: web.Request, change) -> web.Response:
    """Run `change(session, account)` for the account in the path and answer its entity."""
    async with request.app[context.SESSIONMAKER]() as session:
        await require_admin(request, "admin:write:accounts", session)
        account = await get_account_or_404(session, request.match_info["id"])
        before = await _entity(session, request, account)
        await change(session, account)
        await session.commit()
        gone = await session.get(Account, account.id) is None
        return web.json_response(before if gone else await _entity(session, request, account))


async def approve(request: web.Request) -> web.Response:
    return await _moderate(request, moderation.approve)


async def reject(request: web.Request) -> web.Response:
    return await _moderate(request, moderation.reject)


async def unsuspend(request: web.Request) -> web.Response:
    return await _moderate(request, moderation.unsuspend)


async def unsilence(request: web.Request) -> web.Response:
    return await _moderate(request, moderation.unsilence)


async def action(request: web.Request) -> web.Response:
    """`type` none, silence or suspend; `report_id` resolves that report with it (Mastodon's
    admin action). Answers `{}` as Mastodon does."""
    params = await read_params(request)
    kind = params.string("type", "none")
    if kind not in ACTIONS:
        raise ValidationError(f"type must be one of {', '.join(ACTIONS)}")
    report_id = params.id("report_id", not_found="report")
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_admin(request, "admin:write:accounts", session)
        account = await get_account_or_404(session, request.match_info["id"])
        report = await report_actions.get_report(session, report_id) if report_id is not None else None
        if kind == "silence":
            await moderation.silence(session, account)
        elif kind == "suspend":
            await moderation.suspend(session, settings, account)
        if report is not None:
            await report_actions.resolve(session, report, auth.account)
        await session.commit()
    return web.json_response({})
