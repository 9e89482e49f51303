"""The buttons of the pages: like and boost a post (and undo), follow and unfollow an account by
its button or by a `@user@domain` handle. Each runs the same action as the client API
(node/actions) in one transaction, then sends the browser back to the page it came from."""

from aiohttp import web

from storage.errors import NotFound
from storage.models import Account
from storage.repositories import posts as post_repo

from .. import actions, context
from ..actions.common import original_of, parse_key
from ..actions.visibility import check_visible
from ..errors import ValidationError
from ..federation.runtime import FEDERATION
from ..remote_lookup import find_handle, is_handle
from ..routing import add_routes
from .cards import post_href, profile_href
from .viewer import acting_account, field, read_form, see_other, signed_in

POST_ACTIONS = {
    "like": actions.favourite, "unlike": actions.unfavourite,
    "boost": actions.boost, "unboost": actions.unboost,
}
MAX_HANDLE = 300


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("POST", r"/posts/{id:\d+}/{verb:like|boost}", signed_in(react)),
        ("POST", "/follow", signed_in(follow)),
    ])


async def react(request: web.Request) -> web.Response:
    """Like, unlike, boost or unboost (the form's `do` says which, so a repeated click does what
    the button showed, not the opposite)."""
    form = await read_form(request)
    verb = request.match_info["verb"]
    wanted = field(form, "do", 16) or verb
    if wanted not in POST_ACTIONS:
        raise ValidationError("do must be like, unlike, boost or unboost", status=400)
    if verb not in wanted:
        raise ValidationError(f"{wanted} is not something the {verb} button does", status=400)
    async with request.app[context.SESSIONMAKER]() as session:
        viewer = await acting_account(session, request)
        post = await post_repo.get_post_by_id(session, parse_key(request.match_info["id"]) or 0)
        if post is None:
            raise NotFound("post not found")
        await check_visible(session, viewer, post)
        post = await original_of(session, post)
        await POST_ACTIONS[wanted](session, request.app[context.SETTINGS], viewer, post)
        await session.commit()
        author = await session.get(Account, post.account_id)
        href = post_href(post, author)
    return see_other(href)


async def _target(session, request: web.Request, form):
    """The account a form names: by `account_id` (a profile's button) or by `handle`, a
    `@name@domain` (looked up by WebFinger when this node does not know it yet) or a `name` here."""
    if field(form, "account_id", 32):
        target = await session.get(Account, parse_key(field(form, "account_id", 32)) or 0)
        if target is None:
            raise NotFound("no such account")
        return target
    handle = field(form, "handle", MAX_HANDLE + 1).strip().lstrip("@")
    if handle and "@" not in handle:
        handle = f"{handle}@{request.app[context.SETTINGS].domain}"
    if len(handle) > MAX_HANDLE or not is_handle(handle):
        raise ValidationError("enter a handle such as @name@example.social", status=400)
    target = await find_handle(session, request.app[context.SETTINGS], request.app[FEDERATION].fetcher, handle)
    if target is None:
        raise NotFound(f"no account {handle} could be found")
    return target


async def follow(request: web.Request) -> web.Response:
    """Follow (or unfollow) the account named by `account_id` or by `handle`."""
    form = await read_form(request)
    do = field(form, "do", 16) or "follow"
    if do not in ("follow", "unfollow"):
        raise ValidationError("do must be follow or unfollow", status=400)
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        viewer = await acting_account(session, request)
        target = await _target(session, request, form)
        if do == "follow":
            await actions.follow(session, settings, viewer, target)
        else:
            await actions.unfollow(session, settings, viewer, target)
        await session.commit()
        href = profile_href(target)
    return see_other(href)
