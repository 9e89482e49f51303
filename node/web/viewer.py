"""Who is looking at a page, and the form token that guards every form against cross-site
requests.

The signed-in account (or None) is put on the request by the session middleware
(node/web/sessions.py). The form token is a double-submit token (OWASP CSRF cheat sheet): a
random value in an HttpOnly, SameSite=Lax cookie that every form repeats in a hidden field.
Another site can make a browser send the cookie but cannot read it to fill in the field; a
POST whose `Origin` is another site is refused as well.
"""

import hmac
import secrets
from urllib.parse import urlencode

from aiohttp import web

from storage.models import Account, User

from .. import context
from ..errors import Forbidden, NotAuthorized, ValidationError

CSRF_COOKIE = "muralist_csrf"
CSRF_FIELD = "csrf_token"
VIEWER = web.RequestKey("web_viewer", object)
NEW_TOKEN = web.RequestKey("web_new_form_token", str)


def current(request: web.Request) -> Account | None:
    """The signed-in local account, or None."""
    found = request.get(VIEWER)
    return found[1] if found else None


def current_user(request: web.Request) -> User | None:
    found = request.get(VIEWER)
    return found[0] if found else None


def _valid(token: str | None) -> bool:
    return isinstance(token, str) and 20 <= len(token) <= 100 and token.isascii()


def form_token(request: web.Request) -> str:
    """The token the forms of this answer carry: the browser's, or a new one set with the page."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if _valid(cookie):
        return cookie
    if NEW_TOKEN not in request:
        request[NEW_TOKEN] = secrets.token_urlsafe(32)
    return request[NEW_TOKEN]


def remember_form_token(request: web.Request, response: web.StreamResponse) -> None:
    if NEW_TOKEN in request:
        secure = request.app[context.SETTINGS].scheme == "https"
        response.set_cookie(CSRF_COOKIE, request[NEW_TOKEN], httponly=True, samesite="Lax", secure=secure, path="/")


def check_form(request: web.Request, form) -> None:
    """Forbidden unless the POST comes from one of this node's own pages."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin.rstrip("/") != request.app[context.SETTINGS].base_url.rstrip("/"):
        raise Forbidden("this form was sent from another site")
    cookie, sent = request.cookies.get(CSRF_COOKIE), form.get(CSRF_FIELD)
    if not (_valid(cookie) and isinstance(sent, str) and hmac.compare_digest(cookie.encode(), sent.encode())):
        raise Forbidden("the form expired or did not come from this site; reload the page and try again")


async def acting_account(session, request: web.Request) -> Account:
    """The signed-in account, loaded in `session` (the one an action writes through)."""
    account = current(request)
    if account is None:
        raise NotAuthorized("sign in first")
    return await session.get(Account, account.id)


def signed_in(handler):
    """A page for signed-in people: anyone else is sent to the sign-in form, and back after it."""
    async def guarded(request: web.Request) -> web.StreamResponse:
        if current(request) is None:
            # A button pressed after the session ended cannot be replayed after signing in: a
            # GET comes back to its page, a POST to the home feed.
            if request.method != "GET":
                raise web.HTTPSeeOther("/sign-in")
            raise web.HTTPSeeOther(f"/sign-in?{urlencode({'next': request.path_qs})}")
        return await handler(request)

    guarded.__name__ = handler.__name__
    guarded.__doc__ = handler.__doc__
    return guarded


def local_target(text: str | None, default: str) -> str:
    """Where to go after a form: a path on this node only (never `//other.example`)."""
    if not isinstance(text, str) or not text.startswith("/") or text.startswith("//") or "\\" in text or len(text) > 2000:
        return default
    return text


def see_other(location: str) -> web.Response:
    """303: after a form, the browser loads `location` with a GET (no resubmission on reload)."""
    return web.Response(status=303, headers={"Location": location})


MAX_FORM_BYTES = 256 * 1024  # a page's form is a few fields of text


async def read_form(request: web.Request):
    """The posted form, checked to come from this node's pages (`check_form`). An oversized or
    malformed body is a clear 400, never a crash."""
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        raise ValidationError("the form is too large", status=413)
    try:
        form = await request.post()
    except (ValueError, UnicodeDecodeError, AssertionError, web.HTTPException) as exc:
        raise ValidationError(f"the form could not be read: {exc}", status=400) from None
    check_form(request, form)
    return form


def field(form, name: str, limit: int = 10_000) -> str:
    """A form field as text ("" when absent or a file), cut at `limit` characters."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""
