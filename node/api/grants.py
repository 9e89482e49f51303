"""What the OAuth endpoints share: OAuth error answers, client authentication, signing a user in
by login and password, checking requested scopes against the app, and issuing tokens."""

import asyncio
import base64
import binascii
from functools import lru_cache
from urllib.parse import unquote_plus

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, OAuthApp, User
from storage.repositories import accounts as account_repo
from storage.repositories import oauth as oauth_repo

from ..accounts import check_password, hash_password
from ..errors import ValidationError
from ..rate_limits import Attempt
from .entities import token_to_entity
from .params import Params
from .scopes import covers, parse_scopes, scope_param

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1
_BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="muralist"'}  # RFC 6749 §5.2, invalid_client


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: answered as `{"error", "error_description"}`."""

    def __init__(self, error: str, description: str, status: int = 400, headers: dict | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers or {}


def invalid_request(exc: ValidationError) -> OAuthError:
    """A malformed body or a field of the wrong type, as the OAuth error clients expect (§5.2)."""
    return OAuthError("invalid_request", str(exc), exc.status)


def oauth_error_response(exc: OAuthError) -> web.Response:
    return web.json_response(
        {"error": exc.error, "error_description": exc.description},
        status=exc.status, headers={**NO_STORE, **exc.headers},
    )


def client_credentials(request: web.Request, params: Params) -> tuple[str | None, str | None, bool]:
    """(client_id, client_secret, sent_with_basic): HTTP Basic (RFC 6749 §2.3.1) or the body."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    body_id = params.string("client_id")
    if scheme.lower() != "basic":
        return body_id or None, params.string("client_secret") or None, False
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_client", "malformed Basic credentials", 401, _BASIC_CHALLENGE) from exc
    client_id, sep, client_secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "malformed Basic credentials", 401, _BASIC_CHALLENGE)
    if body_id not in (None, unquote_plus(client_id)):
        raise OAuthError("invalid_request", "client_id in the body differs from the Basic credentials")
    # §2.3.1: both parts are form-urlencoded before they are joined and base64-encoded.
    return unquote_plus(client_id), unquote_plus(client_secret), True


async def authenticate_client(session: AsyncSession, request: web.Request, params: Params) -> OAuthApp:
    """The app whose id and secret the request carries; 401 invalid_client otherwise (§5.2)."""
    client_id, client_secret, basic = client_credentials(request, params)
    headers = _BASIC_CHALLENGE if basic else None
    if client_id is None or client_secret is None:
        raise OAuthError("invalid_client", "client authentication is required", 401, headers)
    app = await oauth_repo.get_app_by_client_id(session, client_id)
    if app is None or not oauth_repo.client_secret_matches(app, client_secret):
        raise OAuthError("invalid_client", "unknown client or wrong client secret", 401, headers)
    return app


def requested_scopes(app: OAuthApp, params: Params) -> list[str]:
    """The scopes the request names (default `read`), each of which the app registered."""
    try:
        scopes = parse_scopes(scope_param(params))
    except ValidationError as exc:
        raise OAuthError("invalid_scope", str(exc)) from exc
    return check_app_scopes(app, scopes)


def check_app_scopes(app: OAuthApp, scopes: list[str]) -> list[str]:
    # An app may ask for what it registered or a narrower scope of it (read -> read:statuses).
    outside = [scope for scope in scopes if not covers(app.scopes, [scope])]
    if outside:
        raise OAuthError("invalid_scope", f"the app was not registered for the scope {outside[0]!r}")
    return scopes


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_password("muralist decoy password")


async def find_login(session: AsyncSession, attempt: Attempt, login: str,
                     password: str) -> tuple[User, Account] | None:
    """The user whose username or email and password these are, approved or not; None otherwise.

    RateLimited when this client, or anyone signing in to this account, has given too many
    wrong passwords lately (`attempt` counts them). An unknown login still costs one password
    check, so timing does not reveal which logins exist.
    """
    attempt.count_sign_in()
    user, account = await _find_user(session, login.strip())
    # Keyed by the account, so that its username and its email share one allowance.
    attempt.count_account(f"account:{account.id}" if account is not None else f"login:{login.strip().casefold()}")
    password_hash = user.password_hash if user is not None else _decoy_hash()
    # Argon2 takes tens of milliseconds: keep it off the event loop.
    matches = await asyncio.to_thread(check_password, password_hash, password)
    if user is None or account is None or not matches:
        return None
    attempt.forgive()
    return user, account


async def _find_user(session: AsyncSession, login: str) -> tuple[User | None, Account | None]:
    if not login:
        return None, None
    if "@" in login:
        user = await account_repo.get_user_by_email(session, login)
        if user is None:
            return None, None
        return user, await session.get(Account, user.account_id)
    account = await account_repo.get_local_person_by_username(session, login)
    if account is None:
        return None, None
    return await account_repo.get_user_by_account_id(session, account.id), account


async def issue_token(session: AsyncSession, app_id: int, account_id: int | None, scopes: list[str]) -> dict:
    row, token = await oauth_repo.put_token(session, app_id=app_id, account_id=account_id, scopes=scopes)
    return token_to_entity(row, token)
