"""Domain blocks in the client API: a user's own (https://docs.joinmastodon.org/methods/domain_blocks/),
the admins' (/methods/admin/domain_blocks/), and the public list at
`/api/v1/instance/domain_blocks` (/methods/instance/#domain_blocks), shown as
MURALIST_SHOW_DOMAIN_BLOCKS says. The rules are node/actions/domain_blocks.py's."""

import hashlib

from aiohttp import web
from sqlalchemy import select

from storage.errors import NotFound
from storage.models import DomainBlock
from storage.repositories import blocks as block_repo
from storage.repositories import domain_blocks as domain_block_repo

from .. import context
from ..actions import domain_blocks
from ..errors import ValidationError
from ..federation.domain_gate import SUSPENDED_DOMAINS
from ..routing import add_routes
from .admin_auth import require_admin
from .auth import optional_scopes, require_scopes
from .body import Params, read_params
from .entities import format_id, format_time
from .pagination import page_params, paged_response
from .params import path_id

ID = r"{id:\d+}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/domain_blocks", list_own),
        ("POST", "/api/v1/domain_blocks", hide),
        ("DELETE", "/api/v1/domain_blocks", unhide),
        ("GET", "/api/v1/instance/domain_blocks", public_list),
        ("GET", "/api/v1/admin/domain_blocks", admin_list),
        ("POST", "/api/v1/admin/domain_blocks", admin_create),
        ("GET", f"/api/v1/admin/domain_blocks/{ID}", admin_get),
        ("PUT", f"/api/v1/admin/domain_blocks/{ID}", admin_update),
        ("DELETE", f"/api/v1/admin/domain_blocks/{ID}", admin_delete),
    ])


# --- a user's own ----------------------------------------------------------------------------

async def list_own(request: web.Request) -> web.Response:
    """The hidden servers' names, paged like Mastodon's (by the block's id)."""
    page = page_params(request, default=100, maximum=200)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:blocks", "follow", session=session)
        query, key = block_repo.domain_blocks_page_query(auth.account.id)
        rows = page.newest_first((await session.execute(page.apply(query, key))).all())
    return paged_response(request, request.app[context.URLS], [domain for _id, domain in rows],
                          [row_id for row_id, _domain in rows])


async def _own_change(request: web.Request, change) -> web.Response:
    params = await read_params(request)
    domain = params.string("domain", max_length=300)
    if not domain:
        raise ValidationError("domain is missing")
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:blocks", "follow", session=session)
        await change(session, settings, auth.account, domain)
        await session.commit()
    return web.json_response({})


async def hide(request: web.Request) -> web.Response:
    return await _own_change(request, domain_blocks.hide_domain)


async def unhide(request: web.Request) -> web.Response:
    return await _own_change(request, lambda session, _settings, account, domain:
                             domain_blocks.unhide_domain(session, account, domain))


# --- the public list ----------------------------------------------------------------------------

def _obfuscated(domain: str) -> str:
    """Mastodon's obfuscation: the middle third of the name starred out."""
    third = len(domain) // 3
    return domain[:third] + "*" * (len(domain) - 2 * third) + domain[len(domain) - third:] if third else domain


async def public_list(request: web.Request) -> web.Response:
    audience = request.app[context.SETTINGS].show_domain_blocks
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, session=session)
        if audience == "disabled" or (audience == "users" and (auth is None or auth.account is None)):
            raise NotFound("the list of blocked domains is not public on this server")
        rows = await domain_block_repo.list_domain_blocks(session)
    return web.json_response([{
        "domain": _obfuscated(row.domain) if row.obfuscate else row.domain,
        "digest": hashlib.sha256(row.domain.encode()).hexdigest(),
        "severity": row.severity,
        "comment": row.public_comment or None,
    } for row in rows])


# --- the admins' ----------------------------------------------------------------------------

def admin_entity(row: DomainBlock) -> dict:
    """https://docs.joinmastodon.org/entities/Admin_DomainBlock/"""
    return {
        "id": format_id(row.id), "domain": row.domain, "digest": hashlib.sha256(row.domain.encode()).hexdigest(),
        "created_at": format_time(row.created_at), "severity": row.severity, "reject_media": row.reject_media,
        "reject_reports": row.reject_reports, "private_comment": row.private_comment or None,
        "public_comment": row.public_comment or None, "obfuscate": row.obfuscate,
    }


async def admin_list(request: web.Request) -> web.Response:
    page = page_params(request, default=100, maximum=200)
    async with request.app[context.SESSIONMAKER]() as session:
        await require_admin(request, "admin:read:domain_blocks", session)
        rows = page.newest_first((await session.execute(
            page.apply(select(DomainBlock.id, DomainBlock), DomainBlock.id))).all())
    return paged_response(request, request.app[context.URLS], [admin_entity(row) for _id, row in rows],
                          [row_id for row_id, _row in rows])


async def _get(session, request: web.Request) -> DomainBlock:
    row = await session.get(DomainBlock, path_id(request, what="domain block"))
    if row is None:
        raise NotFound(f"domain block {request.match_info['id']} not found")
    return row


async def admin_get(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        await require_admin(request, "admin:read:domain_blocks", session)
        return web.json_response(admin_entity(await _get(session, request)))


def _fields(params: Params, row: DomainBlock | None = None) -> dict:
    def text(name):
        return params.string(name, getattr(row, name) if row else "", max_length=domain_blocks.MAX_COMMENT) or ""

    def flag(name):
        return params.boolean(name, getattr(row, name) if row else False)

    return {"severity": params.string("severity", row.severity if row else "silence"),
            "public_comment": text("public_comment"), "private_comment": text("private_comment"),
            "reject_media": flag("reject_media"), "reject_reports": flag("reject_reports"),
            "obfuscate": flag("obfuscate")}


async def _save(request: web.Request, *, existing: bool) -> web.Response:
    params = await read_params(request)
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        await require_admin(request, "admin:write:domain_blocks", session)
        row = await _get(session, request) if existing else None
        domain = row.domain if row is not None else params.string("domain", max_length=300)
        if not domain:
            raise ValidationError("domain is missing")
        if row is None and await domain_block_repo.get_domain_block(session, domain.strip().lower()) is not None:
            raise ValidationError(f"{domain} is already blocked; change that block instead")
        row = await domain_blocks.block_domain(session, settings, domain, **_fields(params, row))
        await session.commit()
        request.app[SUSPENDED_DOMAINS].forget()
        return web.json_response(admin_entity(row))


async def admin_create(request: web.Request) -> web.Response:
    return await _save(request, existing=False)


async def admin_update(request: web.Request) -> web.Response:
    return await _save(request, existing=True)


async def admin_delete(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        await require_admin(request, "admin:write:domain_blocks", session)
        row = await _get(session, request)
        await domain_blocks.unblock_domain(session, row.domain)
        await session.commit()
    request.app[SUSPENDED_DOMAINS].forget()
    return web.json_response({})
