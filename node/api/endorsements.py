"""Endorsements (Mastodon 4.4's featured accounts): a user features accounts she follows on
her profile (`POST /api/v1/accounts/:id/endorse`, `/unendorse`, and the older `/pin` and
`/unpin` names), lists her own (`GET /api/v1/endorsements`) and anyone's
(`GET /api/v1/accounts/:id/endorsements`). See https://docs.joinmastodon.org/methods/endorsements/."""

from aiohttp import web

from storage.repositories import endorsements as endorsement_repo
from storage.repositories import follows as follow_repo
from storage.states import FollowState

from .. import context
from ..errors import ValidationError
from ..routing import add_routes
from .account_relations import get_account_or_404, relationships_of
from .auth import optional_scopes, require_scopes
from .pagination import page_params, paged_response
from .status_entity import render_accounts

ID = r"{id:\d+}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/endorsements", own_endorsements),
        ("GET", f"/api/v1/accounts/{ID}/endorsements", account_endorsements),
        ("POST", f"/api/v1/accounts/{ID}/endorse", endorse),
        ("POST", f"/api/v1/accounts/{ID}/unendorse", unendorse),
        ("POST", f"/api/v1/accounts/{ID}/pin", endorse),
        ("POST", f"/api/v1/accounts/{ID}/unpin", unendorse),
    ])


async def _endorsed_page(request: web.Request, session, account_id: int) -> web.Response:
    page = page_params(request, default=40, maximum=80)
    rows = await endorsement_repo.list_endorsed_page(session, account_id, page)
    urls = request.app[context.URLS]
    entities = await render_accounts(session, urls, [account for _row_id, account in rows])
    return paged_response(request, urls, entities, [row_id for row_id, _account in rows])


async def own_endorsements(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:accounts", session=session)
        return await _endorsed_page(request, session, auth.account.id)


async def account_endorsements(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        await optional_scopes(request, "read:accounts", session=session)
        account = await get_account_or_404(session, request.match_info["id"])
        return await _endorsed_page(request, session, account.id)


async def endorse(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:accounts", session=session)
        target = await get_account_or_404(session, request.match_info["id"])
        follow = await follow_repo.get_follow(session, auth.account.id, target.id)
        # Mastodon: "You must be already following the person you want to endorse".
        if follow is None or follow.state != FollowState.ACCEPTED:
            raise ValidationError("you must be following an account to feature it on your profile")
        await endorsement_repo.put_endorsement(session, auth.account.id, target.id)
        await session.commit()
        [relationship] = await relationships_of(session, auth.account.id, [target.id])
    return web.json_response(relationship)


async def unendorse(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:accounts", session=session)
        target = await get_account_or_404(session, request.match_info["id"])
        await endorsement_repo.delete_endorsement(session, auth.account.id, target.id)
        await session.commit()
        [relationship] = await relationships_of(session, auth.account.id, [target.id])
    return web.json_response(relationship)
