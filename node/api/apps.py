"""Client registration: `POST /api/v1/apps` and `GET /api/v1/apps/verify_credentials`.

See https://docs.joinmastodon.org/methods/apps/. Redirect URIs may be the out-of-band URN or any
absolute URI without a fragment (RFC 6749 §3.1.2), custom schemes included, since native apps
receive the code on `myapp://callback` (RFC 8252 §7.1).
"""

import re
from urllib.parse import urlsplit

from aiohttp import web

from storage.repositories import oauth as oauth_repo

from .. import context
from ..errors import ValidationError
from ..routing import add_routes
from .auth import require_scopes
from .body import read_params
from .entities import app_to_entity
from .scopes import parse_scopes, scope_param

OOB_URI = "urn:ietf:wg:oauth:2.0:oob"
MAX_NAME_LENGTH = 255
MAX_URI_LENGTH = 2048
MAX_REDIRECT_URIS = 20
SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*$")  # RFC 3986 §3.1


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("POST", "/api/v1/apps", create_app),
        ("GET", "/api/v1/apps/verify_credentials", verify_credentials),
    ])


async def create_app(request: web.Request) -> web.Response:
    params = await read_params(request)
    name = _name(params.string("client_name"))
    redirect_uris = parse_redirect_uris(params.string_list("redirect_uris"))
    scopes = parse_scopes(scope_param(params))
    website = _website(params.string("website"))
    async with request.app[context.SESSIONMAKER]() as session:
        app, client_secret = await oauth_repo.put_app(
            session, name=name, website=website, redirect_uris=redirect_uris, scopes=scopes
        )
        await session.commit()
    return web.json_response(app_to_entity(app, client_secret))


async def verify_credentials(request: web.Request) -> web.Response:
    """Any valid token, an app token included, may read its own app (Mastodon needs no scope)."""
    auth = await require_scopes(request, user=False)
    return web.json_response(app_to_entity(auth.app))


def _name(value: str | None) -> str:
    if value is None or not value.strip():
        raise ValidationError("Validation failed: Application name can't be blank")
    if len(value) > MAX_NAME_LENGTH:
        raise ValidationError(f"Validation failed: Application name is longer than {MAX_NAME_LENGTH} characters")
    return value.strip()


def parse_redirect_uris(items: list[str] | None) -> list[str]:
    """Valid redirect URIs from newline- or space-separated strings (`redirect_uris[]` or one)."""
    uris: list[str] = []
    for item in items or []:
        for uri in item.split():
            if uri not in uris:
                uris.append(check_redirect_uri(uri))
    if not uris:
        raise ValidationError("Validation failed: Redirect URI can't be blank")
    if len(uris) > MAX_REDIRECT_URIS:
        raise ValidationError(f"Validation failed: at most {MAX_REDIRECT_URIS} redirect URIs")
    return uris


def check_redirect_uri(uri: str) -> str:
    if uri == OOB_URI:
        return uri
    problem = None
    parts = _split(uri) if len(uri) <= MAX_URI_LENGTH else None
    if parts is None:
        problem = "is not a valid URI"
    elif not parts.scheme or not SCHEME_RE.match(parts.scheme):
        problem = "must be an absolute URI"
    elif parts.fragment or "#" in uri:
        problem = "cannot contain a fragment"
    elif parts.scheme.lower() in ("http", "https") and not parts.hostname:
        problem = "must name a host"
    elif parts.scheme.lower() in ("javascript", "data", "vbscript", "file"):
        problem = "uses a scheme that cannot receive a code"
    if problem:
        raise ValidationError(f"Validation failed: Redirect URI {uri!r} {problem}")
    return uri


def _split(uri: str):
    try:
        return urlsplit(uri)
    except ValueError:
        return None


def _website(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if len(value) > MAX_URI_LENGTH:
        raise ValidationError("Validation failed: Website is invalid")
    parts = _split(value)
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError("Validation failed: Website must be an http or https URL")
    return value
