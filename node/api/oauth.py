"""OAuth 2.0 endpoints for clients: the token endpoint with its three grants (RFC 6749 §4.1.3,
§4.3, §4.4, with PKCE from RFC 7636), token revocation (RFC 7009) and the authorization
server metadata (RFC 8414) that Mastodon.py and other apps read to find the endpoints."""

import base64
import hashlib
import re
import secrets

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OAuthApp
from storage.repositories import accounts as account_repo
from storage.repositories import oauth as oauth_repo
from storage.types import utcnow

from .. import context
from ..errors import ValidationError
from ..rate_limits import Attempt, attempt
from ..registrations import AWAITING_APPROVAL, may_sign_in
from ..routing import add_routes
from .body import Params, read_params
from .grants import (
    NO_STORE, OAuthError, authenticate_client, find_login, invalid_request, issue_token, oauth_error_response,
    requested_scopes,
)
from .scopes import KNOWN_SCOPES, TOP_LEVEL

GRANT_TYPES = ("authorization_code", "password", "client_credentials")
# RFC 7636 §4.1: 43-128 characters from the unreserved set.
VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("POST", "/oauth/token", token),
        ("POST", "/oauth/revoke", revoke),
        ("GET", "/.well-known/oauth-authorization-server", authorization_server),
    ])


async def token(request: web.Request) -> web.Response:
    try:
        params = await read_params(request, status=400)
        grant = GRANTS.get(params.string("grant_type"))
        if grant is None:
            raise OAuthError("unsupported_grant_type", f"grant_type must be one of {', '.join(GRANT_TYPES)}")
        async with request.app[context.SESSIONMAKER]() as session:
            app = await authenticate_client(session, request, params)
            answer = await grant(session, app, params, attempt(request))
            await session.commit()
    except ValidationError as exc:
        return oauth_error_response(invalid_request(exc))
    except OAuthError as exc:
        return oauth_error_response(exc)
    return web.json_response(answer, headers=NO_STORE)


async def _authorization_code(session: AsyncSession, app: OAuthApp, params: Params, _sign_in: Attempt) -> dict:
    code_text = params.string("code")
    if not code_text:
        raise OAuthError("invalid_request", "code is required")
    code = await oauth_repo.get_code(session, code_text)
    if code is None or code.app_id != app.id:
        raise OAuthError("invalid_grant", "the authorization code is unknown")
    if code.used_at is not None or code.expires_at <= utcnow():
        raise OAuthError("invalid_grant", "the authorization code was used already or has expired")
    _check_redirect_uri(app, code.redirect_uri, params.string("redirect_uri"))
    _check_verifier(code.code_challenge, params.string("code_verifier"))
    user = await account_repo.get_user_by_account_id(session, code.account_id)
    if user is None or not user.approved:
        raise OAuthError("invalid_grant", "this account may not sign in")
    if not await oauth_repo.update_code_used(session, code):
        raise OAuthError("invalid_grant", "the authorization code was used already or has expired")
    return await issue_token(session, app.id, code.account_id, list(code.scopes))


def _check_redirect_uri(app: OAuthApp, issued_for: str, given: str | None) -> None:
    """§4.1.3: the redirect_uri must be the one the code was issued for.

    A client registered with a single URI may leave it out at both steps (§3.1.2.3).
    """
    if given in (None, "") and app.redirect_uris == [issued_for]:
        return
    if given != issued_for:
        raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")


def _check_verifier(challenge: str | None, verifier: str | None) -> None:
    """RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) must equal the stored S256 challenge."""
    if challenge is None:
        if verifier not in (None, ""):
            # A verifier for a code issued without a challenge means the exchange was tampered with.
            raise OAuthError("invalid_grant", "code_verifier was sent but the authorization had no code_challenge")
        return
    if verifier is None or not VERIFIER_RE.match(verifier):
        raise OAuthError("invalid_grant", "a valid code_verifier is required")
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()
    if not secrets.compare_digest(computed.encode(), challenge.encode()):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")


async def _password(session: AsyncSession, app: OAuthApp, params: Params, sign_in: Attempt) -> dict:
    """The resource owner password grant (§4.3); Mastodon 4.3 still offers it and Mastodon.py uses it."""
    username, password = params.string("username"), params.string("password")
    if not username or not password:
        raise OAuthError("invalid_request", "username and password are required")
    scopes = requested_scopes(app, params)
    found = await find_login(session, sign_in, username, password)  # RateLimited past the limits: 429
    if found is None:
        raise OAuthError("invalid_grant", "wrong login or password")
    user, account = found
    if not may_sign_in(user):
        raise OAuthError("invalid_grant", AWAITING_APPROVAL)
    return await issue_token(session, app.id, account.id, scopes)


async def _client_credentials(session: AsyncSession, app: OAuthApp, params: Params, _sign_in: Attempt) -> dict:
    """An app token (§4.4): no user; enough to register an account or check the app."""
    return await issue_token(session, app.id, None, requested_scopes(app, params))


GRANTS = {
    "authorization_code": _authorization_code,
    "password": _password,
    "client_credentials": _client_credentials,
}


async def revoke(request: web.Request) -> web.Response:
    """RFC 7009 §2.2: an unknown or already revoked token is still a success."""
    try:
        params = await read_params(request, status=400)
        async with request.app[context.SESSIONMAKER]() as session:
            app = await authenticate_client(session, request, params)
            token_text = params.string("token")
            if not token_text:
                raise OAuthError("invalid_request", "token is required")
            row = await oauth_repo.get_token(session, token_text)
            if row is not None:
                if row.app_id != app.id:
                    raise OAuthError("unauthorized_client", "the token belongs to another client", 403)
                await oauth_repo.update_token_revoked(session, row)
                await session.commit()
    except ValidationError as exc:
        return oauth_error_response(invalid_request(exc))
    except OAuthError as exc:
        return oauth_error_response(exc)
    return web.json_response({}, headers=NO_STORE)


async def authorization_server(request: web.Request) -> web.Response:
    base = request.app[context.SETTINGS].base_url
    return web.json_response({
        "issuer": f"{base}/",
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "app_registration_endpoint": f"{base}/api/v1/apps",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "scopes_supported": list(TOP_LEVEL) + sorted(KNOWN_SCOPES - set(TOP_LEVEL)),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    })
