"""An account's statuses for its profile: GET /api/v1/accounts/:id/statuses.

See https://docs.joinmastodon.org/methods/accounts/#statuses. Followers-only posts are shown
to the author and to accepted followers; direct posts never appear on a profile. Pins do not
exist yet, so `pinned=true` answers an empty list (apps ask for pins before the rest).
"""

from aiohttp import web

from storage.models import Account
from storage.repositories import account_queries
from storage.repositories import follows as follow_repo

from .. import context
from ..errors import ValidationError
from ..routing import add_routes
from .account_relations import get_account_or_404
from .auth import optional_scopes
from .pagination import page_params, paged_response
from .status_entity import render_statuses

TRUE_VALUES = ("true", "1", "on", "yes", "t")
FALSE_VALUES = ("false", "0", "off", "no", "f", "")


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", r"/api/v1/accounts/{id:\d+}/statuses", account_statuses),
    ])


def query_flag(request: web.Request, name: str) -> bool:
    """A boolean query parameter in Rails' spellings; anything else is a 400."""
    text = request.query.get(name, "").strip().lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise ValidationError(f"{name} must be true or false", status=400)


async def _visibilities(session, viewer: Account | None, author: Account) -> tuple[str, ...]:
    if viewer is not None and viewer.id == author.id:
        return "public", "unlisted", "private"
    if viewer is not None:
        follow = await follow_repo.get_follow(session, viewer.id, author.id)
        if follow is not None and follow.state == "accepted":
            return "public", "unlisted", "private"
    return "public", "unlisted"


async def account_statuses(request: web.Request) -> web.Response:
    page = page_params(request)
    filters = {name: query_flag(request, name) for name in ("only_media", "exclude_replies", "exclude_reblogs")}
    pinned = query_flag(request, "pinned")
    urls = request.app[context.URLS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, "read:statuses", session=session)
        viewer = auth.account if auth is not None else None
        author = await get_account_or_404(session, request.match_info["id"])
        if pinned:
            return web.json_response([])
        posts = await account_queries.list_profile_posts(
            session, author.id, page, visibilities=await _visibilities(session, viewer, author),
            tag=request.query.get("tagged") or None, **filters,
        )
        entities = await render_statuses(session, urls, viewer, posts)
    return paged_response(request, urls, entities, [post.id for post in posts])
