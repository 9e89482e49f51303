"""Who is calling the client API: bearer-token lookup and scope checks for every endpoint.

Handlers call `require_scopes(request, "read:statuses")` (or `optional_scopes` for public
endpoints that behave differently when signed in) and get an `Auth` back. The listed scopes
are alternatives, as in Mastodon's `doorkeeper_authorize!`; the hierarchy of `scopes.py`
applies, so a token with `read` passes `require_scopes(request, "read:statuses")`.
"""

from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, OAuthApp, OAuthToken, User
from storage.repositories import oauth as oauth_repo
from storage.types import utcnow

from .. import context
from ..errors import Forbidden, NotAuthorized, ValidationError
from ..registrations import AWAITING_APPROVAL, may_sign_in
from .scopes import expand

INVALID_TOKEN = "The access token is invalid"
REVOKED_TOKEN = "The access token was revoked"
OUTSIDE_SCOPES = "This action is outside the authorized scopes"
USER_REQUIRED = "This method requires an authenticated user"
ACCOUNT_SUSPENDED = "Your login is currently disabled"

# Writing last_used_at on every request would cost a commit per call; an hour's precision is enough.
LAST_USED_PRECISION = timedelta(hours=1)


@dataclass(frozen=True)
class Auth:
    """A checked token: the app it belongs to and, unless it is an app token, the account it acts for."""

    token: OAuthToken
    app: OAuthApp
    account: Account | None
    user: User | None

    @property
    def scopes(self) -> list[str]:
        return list(self.token.scopes)

    @property
    def account_id(self) -> int | None:
        return self.account.id if self.account is not None else None

    def allows(self, *scopes: str) -> bool:
        """Whether the token grants any one of `scopes` (no scopes: any valid token will do)."""
        if not scopes:
            return True
        granted = expand(self.token.scopes)
        return any(scope in granted for scope in scopes)


# Where the checked Auth is kept on the request (typed keys arrived in aiohttp 3.12).
_REQUEST_KEY = web.RequestKey("muralist_api_auth", object) if hasattr(web, "RequestKey") else "muralist_api_auth"


def bearer_token(request: web.Request) -> str | None:
    """The token from `Authorization: Bearer` (RFC 6750 §2.1) or the `access_token` query parameter (§2.3).

    Mastodon takes the query form too: browsers cannot set headers on a WebSocket, so the
    streaming API and some clients pass the token in the URL.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query.get("access_token") or None


async def authenticate(request: web.Request, session: AsyncSession | None = None) -> Auth | None:
    """The caller's Auth, None when no token was sent; 401 for an unknown or revoked token.

    The answer is kept on the request, so calling it twice costs one query.
    """
    if _REQUEST_KEY in request:
        return request[_REQUEST_KEY]
    token = bearer_token(request)
    if token is None:
        auth = None
    elif session is not None:
        auth = await _load(request, session, token)
    else:
        async with request.app[context.SESSIONMAKER]() as own_session:
            auth = await _load(request, own_session, token)
    request[_REQUEST_KEY] = auth
    return auth


async def _load(request: web.Request, session: AsyncSession, token: str) -> Auth:
    found = await oauth_repo.get_token_with_owner(session, token)
    if found is None:
        raise NotAuthorized(INVALID_TOKEN)
    row, app, account, user = found
    if row.revoked_at is not None:
        raise NotAuthorized(REVOKED_TOKEN)
    if row.account_id is not None and (account is None or user is None):
        raise NotAuthorized(INVALID_TOKEN)
    if user is not None and not may_sign_in(user):
        # Mastodon answers 403 for a valid token whose user may not sign in yet.
        raise Forbidden(AWAITING_APPROVAL)
    if account is not None and account.suspended_at is not None:
        raise Forbidden(ACCOUNT_SUSPENDED)
    await _touch(request, row)
    return Auth(token=row, app=app, account=account, user=user)


async def _touch(request: web.Request, row: OAuthToken) -> None:
    """Record use in a short transaction of its own, so the caller's session stays untouched."""
    now = utcnow()
    if row.last_used_at is not None and now - row.last_used_at < LAST_USED_PRECISION:
        return
    async with request.app[context.SESSIONMAKER]() as session:
        await oauth_repo.update_token_last_used(session, row.id, now)
        await session.commit()


async def require_scopes(request: web.Request, *scopes: str, session: AsyncSession | None = None,
                         user: bool = True) -> Auth:
    """The caller's Auth, or an error: 401 without a valid token, 403 when the token grants none
    of `scopes`, 422 when `user` is set and the token is an app token (Mastodon's answers)."""
    auth = await authenticate(request, session)
    if auth is None:
        raise NotAuthorized(INVALID_TOKEN)
    if not auth.allows(*scopes):
        raise Forbidden(OUTSIDE_SCOPES)
    if user and auth.account is None:
        raise ValidationError(USER_REQUIRED, status=422)
    return auth


async def optional_scopes(request: web.Request, *scopes: str, session: AsyncSession | None = None) -> Auth | None:
    """For public endpoints: None without a token, otherwise as `require_scopes` (user not required).

    A token that is sent must be valid and carry the scopes (Mastodon's `authorize_if_got_token!`).
    """
    if bearer_token(request) is None:
        return None
    return await require_scopes(request, *scopes, session=session, user=False)
