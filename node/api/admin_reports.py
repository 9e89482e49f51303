"""The reports half of Mastodon's admin API (https://docs.joinmastodon.org/methods/admin/reports/):
the list (unresolved by default, `resolved=true` for the others), one report, resolve and
reopen. Reports come from local users and from other servers' Flags (node/actions/reports.py)."""

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Post, Report, User

from .. import context
from ..actions import reports
from ..routing import add_routes
from .admin_accounts import admin_entities
from .admin_auth import require_admin
from .body import query_params
from .entities import format_id, format_time
from .pagination import page_params, paged_response
from .status_entity import render_statuses

ID = r"{id:\d+}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/admin/reports", list_reports),
        ("GET", f"/api/v1/admin/reports/{ID}", get_one),
        ("POST", f"/api/v1/admin/reports/{ID}/resolve", resolve),
        ("POST", f"/api/v1/admin/reports/{ID}/reopen", reopen),
    ])


async def render_reports(session: AsyncSession, request: web.Request, viewer: Account,
                         rows: list[Report]) -> list[dict]:
    """Admin::Report entities (https://docs.joinmastodon.org/entities/Admin_Report/)."""
    ids = {row.account_id for row in rows} | {row.target_account_id for row in rows} | \
        {row.action_taken_by_account_id for row in rows if row.action_taken_by_account_id}
    pairs = (await session.execute(select(Account, User).outerjoin(User, User.account_id == Account.id)
                                   .where(Account.id.in_(ids)))).all()
    urls = request.app[context.URLS]
    admins = dict(zip([account.id for account, _user in pairs], await admin_entities(session, urls, pairs)))
    post_ids = [post_id for row in rows for post_id in row.post_ids]
    posts = {post.id: post for post in (await session.execute(select(Post).where(Post.id.in_(post_ids)))).scalars()}
    kept = [posts[post_id] for post_id in dict.fromkeys(post_ids) if post_id in posts]
    statuses = dict(zip([post.id for post in kept], await render_statuses(session, urls, viewer, kept)))
    return [{
        "id": format_id(row.id),
        "action_taken": row.action_taken_at is not None,
        "action_taken_at": format_time(row.action_taken_at),
        "category": row.category,
        "comment": row.comment,
        "forwarded": row.forwarded,
        "created_at": format_time(row.created_at),
        "updated_at": format_time(row.updated_at),
        "account": admins.get(row.account_id),
        "target_account": admins.get(row.target_account_id),
        "assigned_account": None,
        "action_taken_by_account": admins.get(row.action_taken_by_account_id),
        "statuses": [statuses[post_id] for post_id in row.post_ids if post_id in statuses],
        "rules": [],
    } for row in rows]


async def list_reports(request: web.Request) -> web.Response:
    resolved = query_params(request).boolean("resolved", False)
    page = page_params(request, default=100, maximum=200)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_admin(request, "admin:read:reports", session)
        query = select(Report.id, Report).where(
            Report.action_taken_at.is_not(None) if resolved else Report.action_taken_at.is_(None))
        rows = page.newest_first((await session.execute(page.apply(query, Report.id))).all())
        entities = await render_reports(session, request, auth.account, [report for _id, report in rows])
    return paged_response(request, request.app[context.URLS], entities, [report_id for report_id, _r in rows])


async def _answer(request: web.Request, scope: str, change=None) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_admin(request, scope, session)
        report = await reports.get_report(session, request.match_info["id"])
        if change is not None:
            await change(session, report, auth.account)
            await session.commit()
        [entity] = await render_reports(session, request, auth.account, [report])
    return web.json_response(entity)


async def get_one(request: web.Request) -> web.Response:
    return await _answer(request, "admin:read:reports")


async def resolve(request: web.Request) -> web.Response:
    return await _answer(request, "admin:write:reports", reports.resolve)


async def reopen(request: web.Request) -> web.Response:
    return await _answer(request, "admin:write:reports", lambda session, report, _by: reports.reopen(session, report))
