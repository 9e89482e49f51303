"""Reporting an account in the client API (https://docs.joinmastodon.org/methods/reports/):
`POST /api/v1/reports` with `account_id`, `status_ids[]`, `comment`, `category` and
`forward`; the rules are node/actions/reports.py's."""

from aiohttp import web

from storage.models import Report

from .. import context
from ..actions import reports
from ..errors import ValidationError
from ..routing import add_routes
from .account_relations import get_account_or_404
from .auth import require_scopes
from .body import read_params
from .entities import format_id, format_time
from .status_entity import render_accounts


def setup(app: web.Application) -> None:
    add_routes(app, [("POST", "/api/v1/reports", create)])


def report_entity(report: Report, target_entity: dict) -> dict:
    """https://docs.joinmastodon.org/entities/Report/"""
    return {
        "id": format_id(report.id),
        "action_taken": report.action_taken_at is not None,
        "action_taken_at": format_time(report.action_taken_at),
        "category": report.category,
        "comment": report.comment,
        "forwarded": report.forwarded,
        "created_at": format_time(report.created_at),
        "status_ids": [format_id(post_id) for post_id in report.post_ids] or None,
        "rule_ids": None,
        "target_account": target_entity,
    }


async def create(request: web.Request) -> web.Response:
    params = await read_params(request)
    account_id = params.id("account_id", not_found="account")
    if account_id is None:
        raise ValidationError("account_id is missing")
    post_ids = params.id_list("status_ids", max_items=reports.MAX_POSTS) or []
    comment = params.string("comment", "", max_length=reports.MAX_COMMENT)
    category = params.string("category") or "other"
    forward = params.boolean("forward", False)
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:reports", session=session)
        target = await get_account_or_404(session, account_id)
        report = await reports.create_report(session, settings, auth.account, target, post_ids=post_ids,
                                             comment=comment, category=category, forward=forward)
        await session.commit()
        [target_entity] = await render_accounts(session, request.app[context.URLS], [target])
    return web.json_response(report_entity(report, target_entity))
