"""Signing in, signing up and signing out in the browser, with the accounts and rules of the
client API: the password is checked as the OAuth password grant checks it (with its rate
limits), sign-ups follow MURALIST_REGISTRATIONS (node/registrations.py) and Mastodon's
registration checks (node/api/accounts.py)."""

from aiohttp import web

from .. import context
from ..accounts import create_local_user
from ..api.accounts import registration_problems
from ..api.grants import find_login
from ..errors import RateLimited
from ..rate_limits import attempt
from ..registrations import AWAITING_APPROVAL, approval_required, may_sign_in, new_user_approved, sign_ups_open
from ..routing import add_routes
from .rendering import page
from .sessions import end_session, start_session
from .viewer import current, field, local_target, read_form, see_other

MAX_FIELD = 512  # longer than any login, email or password the node accepts


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/sign-in", sign_in_form),
        ("POST", "/sign-in", sign_in),
        ("GET", "/sign-up", sign_up_form),
        ("POST", "/sign-up", sign_up),
        ("POST", "/sign-out", sign_out),
    ])


def _text(form, name: str) -> str:
    return field(form, name, MAX_FIELD).strip()


async def sign_in_form(request: web.Request, *, error: str | None = None, login: str = "", status: int = 200,
                       headers: dict | None = None, next_path: str | None = None) -> web.Response:
    if current(request) is not None and error is None:
        raise web.HTTPSeeOther(local_target(request.query.get("next"), "/home"))
    return await page(request, "sign_in.html", {
        "error": error, "login": login,
        "next": next_path if next_path is not None else local_target(request.query.get("next"), ""),
        "sign_ups_open": sign_ups_open(request.app[context.SETTINGS]),
    }, status=status, headers=headers)


async def sign_in(request: web.Request) -> web.Response:
    form = await read_form(request)
    login, password = _text(form, "login"), field(form, "password", MAX_FIELD)
    target = local_target(field(form, "next", 2001), "/home")
    again = {"login": login, "next_path": local_target(field(form, "next", 2001), "")}
    if not login or not password:
        return await sign_in_form(request, error="Enter your username or email and your password.", status=422,
                                  **again)
    try:
        async with request.app[context.SESSIONMAKER]() as session:
            found = await find_login(session, attempt(request), login, password)
    except RateLimited as exc:
        return await sign_in_form(request, error=f"Too many wrong passwords; try again in {exc.retry_after} seconds.",
                                  status=429, **again, headers={"Retry-After": str(exc.retry_after)})
    if found is None:
        return await sign_in_form(request, error="Wrong login or password.", status=422, **again)
    user, account = found
    if not may_sign_in(user):
        return await sign_in_form(request, error=AWAITING_APPROVAL, status=403, **again)
    response = see_other(target)
    await start_session(request, response, account.id)
    return response


async def sign_up_form(request: web.Request, *, errors: dict | None = None, fields: dict | None = None,
                       status: int = 200, headers: dict | None = None) -> web.Response:
    settings = request.app[context.SETTINGS]
    if not sign_ups_open(settings):
        return await page(request, "error.html", {"status": 403, "message": "Registrations are closed on this server."},
                          status=403)
    return await page(request, "sign_up.html", {
        "errors": errors or {}, "fields": fields or {}, "approval": approval_required(settings),
    }, status=status, headers=headers)


async def sign_up(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    form = await read_form(request)
    if not sign_ups_open(settings):
        return await sign_up_form(request)
    fields = {name: _text(form, name) or None for name in ("username", "email")}
    fields["password"] = field(form, "password", MAX_FIELD) or None
    fields["agreement"] = field(form, "agreement", 8) == "on"
    shown = {"username": fields["username"] or "", "email": fields["email"] or ""}
    sign_up_attempt = attempt(request)
    try:
        sign_up_attempt.count_sign_up()
    except RateLimited as exc:
        return await sign_up_form(request, errors={"form": f"Too many sign-ups from here; try again in "
                                                           f"{exc.retry_after} seconds."},
                                  fields=shown, status=429, headers={"Retry-After": str(exc.retry_after)})
    async with request.app[context.SESSIONMAKER]() as session:
        problems = await registration_problems(session, settings, fields)
        if problems:
            sign_up_attempt.forgive()  # a refused form made no account
            errors = {field: found[0]["description"] for field, found in problems.items()}
            return await sign_up_form(request, errors=errors, fields=shown, status=422)
        _user, account = await create_local_user(
            session, settings, username=fields["username"], email=fields["email"], password=fields["password"],
            approved=new_user_approved(settings),
        )
        await session.commit()
    if not new_user_approved(settings):
        return await page(request, "notice.html", {"title": "Thank you", "message": AWAITING_APPROVAL + "."})
    response = see_other("/create")
    await start_session(request, response, account.id)
    return response


async def sign_out(request: web.Request) -> web.Response:
    form = await read_form(request)
    response = see_other("/")
    await end_session(request, response)
    return response
