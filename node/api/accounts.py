"""Accounts in the client API: registration, the signed-in user, one account by id or by handle.

See https://docs.joinmastodon.org/methods/accounts/. Registration follows
MURALIST_REGISTRATIONS: `closed` refuses, `approval` creates an account that cannot sign in
until a moderator approves it, `open` answers a working token at once.
"""

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account
from storage.repositories import account_stats
from storage.repositories import accounts as account_repo

from .. import context
from ..accounts import EMAIL_RE, MIN_PASSWORD_LENGTH, RESERVED_USERNAMES, USERNAME_RE, create_local_user
from ..errors import ValidationError
from ..rate_limits import attempt
from ..registrations import check_sign_up, new_user_approved
from ..routing import add_routes
from ..settings import Settings
from .auth import optional_scopes, require_scopes
from .body import Params, query_params, read_params
from .entities import credential_account, render_account
from .grants import NO_STORE, issue_token
from .params import path_id

MAX_PASSWORD_LENGTH = 256  # Argon2 hashes anything, but a megabyte password is an attack


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("POST", "/api/v1/accounts", register),
        ("GET", "/api/v1/accounts/verify_credentials", verify_credentials),
        ("GET", "/api/v1/accounts/lookup", lookup),
        ("GET", r"/api/v1/accounts/{id:\d+}", get_account),
    ])


async def register(request: web.Request) -> web.Response:
    """Needs an app token (client_credentials) with write:accounts; answers a Token for the new user."""
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:accounts", session=session, user=False)
        check_sign_up(settings)
        sign_up = attempt(request)
        sign_up.count_sign_up()  # RateLimited past MURALIST_RATE_LIMIT_SIGN_UP: 429
        fields = registration_fields(await read_params(request))
        details = await registration_problems(session, settings, fields)
        if details:
            sign_up.forgive()  # a refused form made no account; a typo should not lock a person out
            summary = "; ".join(problem[0]["description"] for problem in details.values())
            return web.json_response({"error": f"Validation failed: {summary}", "details": details}, status=422)
        _user, account = await create_local_user(
            session, settings, username=fields["username"], email=fields["email"], password=fields["password"],
            approved=new_user_approved(settings),
        )
        # Mastodon gives the new user's token the scopes of the app token that registered it.
        answer = await issue_token(session, auth.app.id, account.id, list(auth.token.scopes))
        await session.commit()
    return web.json_response(answer, headers=NO_STORE)


def registration_fields(params: Params) -> dict:
    """username, email and password as text (None when absent) and agreement as a boolean."""
    fields = {name: params.string(name) for name in ("username", "email", "password")}
    fields["agreement"] = params.boolean("agreement", False)
    return fields


async def registration_problems(session: AsyncSession, settings: Settings, fields: dict) -> dict:
    """Mastodon's `details` of a refused registration: field -> [{error: ERR_*, description}]."""
    problems = {
        "username": await _username_problem(session, settings, fields["username"]),
        "email": await _email_problem(session, fields["email"]),
        "password": _password_problem(fields["password"]),
        "agreement": None if fields["agreement"] else ("ERR_ACCEPTED", "the server rules must be accepted"),
    }
    return {
        field: [{"error": problem[0], "description": f"{field}: {problem[1]}"}]
        for field, problem in problems.items() if problem is not None
    }


async def _username_problem(session: AsyncSession, settings: Settings, username) -> tuple[str, str] | None:
    if not isinstance(username, str) or not username:
        return "ERR_BLANK", "can't be blank"
    if len(username) > 30:
        return "ERR_TOO_LONG", "is too long (at most 30 characters)"
    if not USERNAME_RE.match(username):
        return "ERR_INVALID", "only letters, numbers and underscores"
    if username.lower() in RESERVED_USERNAMES or username.lower() == settings.host.lower():
        return "ERR_RESERVED", "is reserved"
    if await account_repo.get_account_by_username(session, username) is not None:
        return "ERR_TAKEN", "has already been taken"
    return None


async def _email_problem(session: AsyncSession, email) -> tuple[str, str] | None:
    if not isinstance(email, str) or not email:
        return "ERR_BLANK", "can't be blank"
    if not EMAIL_RE.match(email) or len(email) > 320:
        return "ERR_INVALID", "is not a valid address"
    if await account_repo.get_user_by_email(session, email) is not None:
        return "ERR_TAKEN", "has already been taken"
    return None


def _password_problem(password) -> tuple[str, str] | None:
    if not isinstance(password, str) or not password:
        return "ERR_BLANK", "can't be blank"
    if len(password) < MIN_PASSWORD_LENGTH:
        return "ERR_TOO_SHORT", f"is too short (at least {MIN_PASSWORD_LENGTH} characters)"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "ERR_TOO_LONG", f"is too long (at most {MAX_PASSWORD_LENGTH} characters)"
    return None


async def verify_credentials(request: web.Request) -> web.Response:
    """The signed-in user's CredentialAccount; the `profile` scope alone suffices (Mastodon 4.3)."""
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:accounts", "profile", session=session)
        entity = await render_account(session, request.app[context.URLS], auth.account)
        pending = await account_stats.count_follow_requests(session, auth.account.id)
    return web.json_response(
        credential_account(entity, auth.account, admin=auth.user.admin, follow_requests_count=pending,
                           quote_policy=auth.user.default_quote_policy)
    )


async def get_account(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        await optional_scopes(request, "read:accounts", session=session)
        account = await session.get(Account, path_id(request))
        if account is None:
            raise NotFound("Record not found")
        entity = await render_account(session, request.app[context.URLS], account)
    return web.json_response(entity)


async def lookup(request: web.Request) -> web.Response:
    """`acct` is `name`, `@name`, `name@this.domain` or `name@other.domain` (known accounts only)."""
    settings = request.app[context.SETTINGS]
    acct = (query_params(request).string("acct") or "").strip().lstrip("@")
    if not acct:
        raise ValidationError("acct is required", status=400)
    username, _, domain = acct.partition("@")
    if domain.lower() in (settings.domain.lower(), settings.host.lower()):
        domain = ""
    async with request.app[context.SESSIONMAKER]() as session:
        await optional_scopes(request, "read:accounts", session=session)
        account = await account_repo.get_account_by_username(session, username, domain or None)
        if account is None:
            raise NotFound("Record not found")
        entity = await render_account(session, request.app[context.URLS], account)
    return web.json_response(entity)
