"""Relationships in the client API: follow, unfollow, the Relationship entity, followers and
following lists, and answering follow requests.

See https://docs.joinmastodon.org/methods/accounts/ and /methods/follow_requests/. A follow
of a locked or a remote account answers `requested: true` until the target accepts; the
follow's lifecycle itself lives in node/actions/follows.py.
"""

from aiohttp import web
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, Follow
from storage.repositories import account_queries
from storage.repositories import endorsements as endorsement_repo

from .. import actions, context
from ..routing import add_routes
from .auth import optional_scopes, require_scopes
from .body import query_params
from .entities import format_id
from .pagination import page_params, paged_response
from .params import parse_id
from .relationship_moderation import Moderation, moderation_of
from .status_entity import render_accounts

MAX_RELATIONSHIPS = 100


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/accounts/relationships", relationships),
        ("POST", r"/api/v1/accounts/{id:\d+}/follow", follow),
        ("POST", r"/api/v1/accounts/{id:\d+}/unfollow", unfollow),
        ("GET", r"/api/v1/accounts/{id:\d+}/followers", followers),
        ("GET", r"/api/v1/accounts/{id:\d+}/following", following),
        ("POST", r"/api/v1/follow_requests/{id:\d+}/authorize", authorize_request),
        ("POST", r"/api/v1/follow_requests/{id:\d+}/reject", reject_request),
    ])


async def get_account_or_404(session: AsyncSession, account_id) -> Account:
    """The account with this id; NotFound (404) for an unknown or out-of-range id."""
    number = parse_id(account_id)
    account = await session.get(Account, number) if number else None
    if account is None:
        raise NotFound("Record not found")
    return account


# --- the Relationship entity ---------------------------------------------------------

def relationship_entity(target_id: int, outgoing: Follow | None, incoming: Follow | None,
                        moderation: Moderation | None = None, endorsed: bool = False) -> dict:
    """https://docs.joinmastodon.org/entities/Relationship/, with the viewer's blocks, mutes
    and hidden servers when given."""
    following = outgoing is not None and outgoing.state == "accepted"
    entity = {
        "id": format_id(target_id),
        "following": following,
        "showing_reblogs": following,
        "notifying": False,
        "languages": None,
        "followed_by": incoming is not None and incoming.state == "accepted",
        "blocking": False,
        "blocked_by": False,
        "muting": False,
        "muting_notifications": False,
        "requested": outgoing is not None and outgoing.state == "requested",
        "requested_by": incoming is not None and incoming.state == "requested",
        "domain_blocking": False,
        "endorsed": endorsed,
        "note": "",
    }
    if moderation is not None:
        entity.update(moderation.fields(target_id))
    return entity


async def relationships_of(session: AsyncSession, viewer_id: int, target_ids: list[int]) -> list[dict]:
    """Relationships of the viewer with each known target, in the order asked, in one query."""
    if not target_ids:
        return []
    known = set((await session.execute(select(Account.id).where(Account.id.in_(target_ids)))).scalars())
    rows = (await session.execute(select(Follow).where(or_(
        and_(Follow.account_id == viewer_id, Follow.target_account_id.in_(target_ids)),
        and_(Follow.target_account_id == viewer_id, Follow.account_id.in_(target_ids)),
    )))).scalars()
    outgoing, incoming = {}, {}
    for row in rows:
        if row.account_id == viewer_id:
            outgoing[row.target_account_id] = row
        if row.target_account_id == viewer_id:
            incoming[row.account_id] = row
    ordered = list(dict.fromkeys(target_id for target_id in target_ids if target_id in known))
    moderation = await moderation_of(session, viewer_id, ordered)
    endorsed = await endorsement_repo.get_endorsed_ids(session, viewer_id, ordered)
    return [relationship_entity(t, outgoing.get(t), incoming.get(t), moderation, t in endorsed) for t in ordered]


async def relationships(request: web.Request) -> web.Response:
    # Rails clients send `id[]=1&id[]=2`; some send `id=1&id=2` or a single `id`.
    ids = query_params(request).id_list("id", max_items=MAX_RELATIONSHIPS) or []
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:follows", session=session)
        answer = await relationships_of(session, auth.account.id, ids)
    return web.json_response(answer)


# --- follow and unfollow ---------------------------------------------------------------

async def _one_relationship(session: AsyncSession, viewer_id: int, target_id: int) -> dict:
    return (await relationships_of(session, viewer_id, [target_id]))[0]


async def follow(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:follows", "follow", session=session)
        target = await get_account_or_404(session, request.match_info["id"])
        await actions.follow(session, settings, auth.account, target)
        await session.commit()
        answer = await _one_relationship(session, auth.account.id, target.id)
    return web.json_response(answer)


async def unfollow(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:follows", "follow", session=session)
        target = await get_account_or_404(session, request.match_info["id"])
        await actions.unfollow(session, settings, auth.account, target)
        await session.commit()
        answer = await _one_relationship(session, auth.account.id, target.id)
    return web.json_response(answer)


# --- follow requests ---------------------------------------------------------------------

async def _answer_request(request: web.Request, answer) -> web.Response:
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:follows", "follow", session=session)
        requester = await get_account_or_404(session, request.match_info["id"])
        await answer(session, settings, auth.account, requester)
        await session.commit()
        entity = await _one_relationship(session, auth.account.id, requester.id)
    return web.json_response(entity)


async def authorize_request(request: web.Request) -> web.Response:
    return await _answer_request(request, actions.authorize_follow_request)


async def reject_request(request: web.Request) -> web.Response:
    return await _answer_request(request, actions.reject_follow_request)


# --- followers and following ----------------------------------------------------------------

async def _account_list(request: web.Request, lister) -> web.Response:
    """A page of accounts; the cursors are follow ids, as in Mastodon, so pages stay stable."""
    page = page_params(request, default=40, maximum=80)
    async with request.app[context.SESSIONMAKER]() as session:
        await optional_scopes(request, "read:accounts", session=session)
        account = await get_account_or_404(session, request.match_info["id"])
        rows = await lister(session, account.id, page)
        urls = request.app[context.URLS]
        entities = await render_accounts(session, urls, [other for _follow_id, other in rows])
    return paged_response(request, urls, entities, [follow_id for follow_id, _other in rows])


async def followers(request: web.Request) -> web.Response:
    return await _account_list(request, account_queries.list_followers_page)


async def following(request: web.Request) -> web.Response:
    return await _account_list(request, account_queries.list_following_page)
