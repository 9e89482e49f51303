"""Profile pages: `/@name` for a local user, `/@name@domain` for a remote account this node
knows; each with its counts and a grid of its images (`/users/{name}` shows the same page to
browsers, node/federation/actors.py)."""

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account
from storage.repositories import accounts as account_repo
from storage.repositories import follows as follow_repo
from storage.repositories import galleries

from .. import context
from ..actions.visibility import visibilities_for
from ..routing import add_routes
from .cards import cards_for, profile_href
from .paging import PAGE_SIZE, max_id_of, next_page
from .rendering import Preview, page
from .viewer import current

MAX_HANDLE = 512


def setup(app: web.Application) -> None:
    add_routes(app, [("GET", "/@{username}", profile_by_handle)])


async def account_of_handle(session: AsyncSession, handle: str) -> Account:
    """The account `name` (local) or `name@domain` (remote, known already) names."""
    if len(handle) > MAX_HANDLE:
        raise NotFound("no such account")
    username, _, domain = handle.partition("@")
    if domain:
        account = await account_repo.get_account_by_username(session, username, domain)
        if account is not None and account.domain is not None:
            return account
    else:
        account = await account_repo.get_local_person_by_username(session, username)
        if account is not None:
            return account
    raise NotFound(f"no account @{handle} on this server")


async def relationship(session: AsyncSession, viewer: Account | None, account: Account) -> str | None:
    """`self`, `following`, `requested` or `none` for a signed-in viewer; None when signed out."""
    if viewer is None:
        return None
    if viewer.id == account.id:
        return "self"
    follow = await follow_repo.get_follow(session, viewer.id, account.id)
    return "none" if follow is None else str(follow.state).replace("accepted", "following")


async def profile_page(request: web.Request, account: Account) -> web.Response:
    viewer = current(request)
    max_id = max_id_of(request)
    async with request.app[context.SESSIONMAKER]() as session:
        shown = await visibilities_for(session, viewer, account)
        posts = await galleries.list_gallery_posts(session, account_id=account.id, visibilities=shown,
                                                   max_id=max_id, limit=PAGE_SIZE)
        cards = await cards_for(session, request.app[context.URLS], posts)
        state = await relationship(session, viewer, account)
    settings = request.app[context.SETTINGS]
    handle = f"@{account.username}@{account.domain or settings.domain}"
    name = account.display_name or account.username
    urls = request.app[context.URLS]
    preview = Preview(title=f"{name} ({handle})", description=f"Images by {name} on {settings.instance_title}",
                      url=settings.base_url + profile_href(account),
                      image=account.avatar_uri or urls.default_avatar, image_alt=f"{name}'s avatar", kind="profile")
    return await page(request, "profile.html", {
        "account": account, "handle": handle, "name": name, "cards": cards, "relationship": state,
        "avatar": account.avatar_uri or urls.default_avatar, "header": account.header_uri or urls.default_header,
        "next_page": next_page(request, posts), "older": max_id is not None,
    }, preview=preview)


async def profile_by_handle(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        account = await account_of_handle(session, request.match_info["username"])
    return await profile_page(request, account)
