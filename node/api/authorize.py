"""The authorization endpoint (RFC 6749 §4.1.1-§4.1.2): `GET /oauth/authorize` shows a sign-in
and consent form, `POST /oauth/authorize` checks it and sends the browser back to the app with
a code and the state, or shows the code for the out-of-band redirect URI.

There is no browser session: the form carries the request in hidden fields, bound to a cookie
nonce by an HMAC (a signed double-submit token, OWASP CSRF cheat sheet), so a form forged on
another site or with altered fields is refused.
"""

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OAuthApp
from storage.repositories import accounts as account_repo
from storage.repositories import oauth as oauth_repo

from .. import context
from ..errors import RateLimited, ValidationError
from ..rate_limits import Attempt, attempt
from ..registrations import may_sign_in
from ..routing import add_routes
from .apps import OOB_URI
from .body import Params, query_params, read_params
from .grants import OAuthError, check_app_scopes, find_login
from .pages import code_page, consent_page, error_page
from .scopes import parse_scopes, scope_param

COOKIE = "muralist_oauth"
CHALLENGE_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 §4.2
BOUND_FIELDS = ("client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method")


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/oauth/authorize", show_form),
        ("POST", "/oauth/authorize", submit_form),
    ])


class PageError(Exception):
    """The request cannot be trusted to redirect (unknown client or redirect URI): show a page (§4.1.2.1)."""


@dataclass(frozen=True)
class AuthorizeRequest:
    app: OAuthApp
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None

    def fields(self) -> dict[str, str]:
        """The request as the form's hidden fields (normalised, so the HMAC sees one spelling)."""
        return {
            "client_id": self.app.client_id, "redirect_uri": self.redirect_uri, "scope": " ".join(self.scopes),
            "state": self.state or "", "code_challenge": self.code_challenge or "",
            "code_challenge_method": self.code_challenge_method or "",
        }


class RedirectError(Exception):
    """The request names a trusted redirect URI: the error goes back to the app there (§4.1.2.1)."""

    def __init__(self, request: AuthorizeRequest, error: OAuthError) -> None:
        super().__init__(error.description)
        self.request = request
        self.error = error


async def parse_request(session: AsyncSession, params: Params, response_type: str | None = None) -> AuthorizeRequest:
    """Check the client and redirect URI first (PageError), then the rest (OAuthError, redirected).

    `response_type` overrides the request's own (the consent form always asks for a code).
    """
    app, redirect_uri = await _client(session, params)
    request = AuthorizeRequest(app, redirect_uri, [], None, None, None)
    try:
        request = replace(request, state=params.string("state") or None)
        if (response_type or params.string("response_type")) != "code":
            raise OAuthError("unsupported_response_type", "response_type must be code")
        scopes = _scopes(app, params)
        challenge, method = _pkce(params)
    except ValidationError as exc:  # a field of the wrong type
        raise RedirectError(request, OAuthError("invalid_request", str(exc))) from exc
    except OAuthError as exc:
        raise RedirectError(request, exc) from exc
    return replace(request, scopes=scopes, code_challenge=challenge, code_challenge_method=method)


async def _client(session: AsyncSession, params: Params) -> tuple[OAuthApp, str]:
    """The app and the redirect URI to answer on; PageError when either cannot be trusted."""
    try:
        client_id, redirect_uri = params.string("client_id") or "", params.string("redirect_uri") or ""
    except ValidationError as exc:
        raise PageError(str(exc)) from exc
    app = await oauth_repo.get_app_by_client_id(session, client_id)
    if app is None:
        raise PageError("The application is not known to this server.")
    if not redirect_uri and len(app.redirect_uris) == 1:
        redirect_uri = app.redirect_uris[0]  # §3.1.2.3: optional when only one is registered
    if redirect_uri not in app.redirect_uris:
        raise PageError("The redirect URI is not one the application registered.")
    return app, redirect_uri


def _scopes(app: OAuthApp, params: Params) -> list[str]:
    try:
        return check_app_scopes(app, parse_scopes(scope_param(params)))
    except ValidationError as exc:
        raise OAuthError("invalid_scope", str(exc)) from exc


def _pkce(params: Params) -> tuple[str | None, str | None]:
    challenge = params.string("code_challenge") or None
    method = params.string("code_challenge_method") or None
    if challenge is None:
        return None, None
    # RFC 7636 §4.3 defaults to "plain", which protects nothing a TLS-less channel does not
    # already leak; Mastodon accepts S256 only, and so do we.
    if method != "S256":
        raise OAuthError("invalid_request", "code_challenge_method must be S256")
    if not CHALLENGE_RE.match(challenge):
        raise OAuthError("invalid_request", "code_challenge is malformed")
    return challenge, method


def redirect_to_app(request: AuthorizeRequest, values: dict[str, str]) -> web.Response:
    """Back to the app with `values` and the state added to the redirect URI's query (§4.1.2)."""
    if request.state is not None:
        values = {**values, "state": request.state}
    separator = "&" if "?" in request.redirect_uri else "?"
    location = request.redirect_uri + separator + urlencode(values)
    return web.Response(status=302, headers={"Location": location, "Cache-Control": "no-store",
                                             "Referrer-Policy": "no-referrer"})


def error_answer(exc: RedirectError) -> web.Response:
    if exc.request.redirect_uri == OOB_URI:
        return error_page(exc.error.description)
    return redirect_to_app(exc.request, {"error": exc.error.error, "error_description": exc.error.description})


async def show_form(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        try:
            auth_request = await parse_request(session, query_params(request))
        except PageError as exc:
            return error_page(str(exc))
        except RedirectError as exc:
            return error_answer(exc)
        key = await _form_key(session)
    nonce = request.cookies.get(COOKIE, "")
    if not re.fullmatch(r"[A-Za-z0-9_\-]{22,64}", nonce):
        nonce = secrets.token_urlsafe(24)
    response = consent_page(auth_request.app, auth_request.scopes, _hidden(key, nonce, auth_request))
    response.set_cookie(
        COOKIE, nonce, path="/oauth", httponly=True, samesite="Lax",
        secure=request.app[context.SETTINGS].scheme == "https",
    )
    return response


def _hidden(key: bytes, nonce: str, auth_request: AuthorizeRequest) -> dict[str, str]:
    fields = auth_request.fields()
    return {**fields, "csrf_token": _form_token(key, nonce, fields)}


async def _form_key(session: AsyncSession) -> bytes:
    """A key every process of the node shares and nobody outside knows: derived from the
    instance actor's private key, which is created once and kept in the database."""
    actor = await account_repo.get_instance_actor(session)
    return hashlib.sha256(b"muralist oauth authorize form\0" + (actor.private_key_pem or "").encode()).digest()


def _form_token(key: bytes, nonce: str, fields: dict[str, str]) -> str:
    message = json.dumps([nonce] + [fields.get(name, "") for name in BOUND_FIELDS]).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def submit_form(request: web.Request) -> web.Response:
    try:
        form = await read_params(request, include_query=False, status=400)
        async with request.app[context.SESSIONMAKER]() as session:
            return await _check_form(request, session, form)
    except PageError as exc:
        return error_page(str(exc))
    except RedirectError as exc:
        return error_answer(exc)
    except ValidationError as exc:  # a malformed form or a field of the wrong type
        return error_page(str(exc), exc.status)


async def _check_form(request: web.Request, session: AsyncSession, form: Params) -> web.Response:
    auth_request = await parse_request(session, form, response_type="code")
    key = await _form_key(session)
    nonce = request.cookies.get(COOKIE, "")
    expected = _form_token(key, nonce, auth_request.fields())
    # Compared as bytes: compare_digest refuses non-ASCII text, which anyone can post here.
    if not nonce or not hmac.compare_digest(expected.encode(), (form.string("csrf_token") or "").encode()):
        return error_page("The form has expired or did not come from this server. Go back and try again.", 403)
    if form.string("decision") != "approve":
        raise RedirectError(auth_request, OAuthError("access_denied", "the user denied the request"))
    return await _sign_in_and_grant(session, auth_request, form, _hidden(key, nonce, auth_request), attempt(request))


async def _sign_in_and_grant(session: AsyncSession, auth_request: AuthorizeRequest, form: Params,
                             hidden: dict[str, str], sign_in: Attempt) -> web.Response:
    login, password = form.string("login") or "", form.string("password") or ""
    try:
        found = await find_login(session, sign_in, login, password) if login and password else None
    except RateLimited as exc:
        # A person at a browser: the form again, saying when to come back (429, Retry-After).
        page = consent_page(auth_request.app, auth_request.scopes, hidden, login=login, status=429,
                            error=f"Too many sign-in attempts. Try again in {_minutes(exc.retry_after)}.")
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if found is None:
        return consent_page(auth_request.app, auth_request.scopes, hidden, login=login,
                            error="Wrong username, email or password.", status=422)
    user, account = found
    if not may_sign_in(user):
        return consent_page(auth_request.app, auth_request.scopes, hidden, login=login,
                            error="Your account is waiting for approval by a moderator.", status=403)
    _row, code = await oauth_repo.put_code(
        session, app_id=auth_request.app.id, account_id=account.id, scopes=auth_request.scopes,
        redirect_uri=auth_request.redirect_uri, code_challenge=auth_request.code_challenge,
        code_challenge_method=auth_request.code_challenge_method,
    )
    await session.commit()
    if auth_request.redirect_uri == OOB_URI:
        return code_page(auth_request.app, code)
    return redirect_to_app(auth_request, {"code": code})


def _minutes(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return "a minute" if minutes == 1 else f"{minutes} minutes"
