"""Signing in to the web pages: the session cookie and the middleware that reads it.

The cookie holds a random 256-bit token; the node stores only its digest
(storage/repositories/web_sessions.py). The cookie is HttpOnly (no script reads it),
SameSite=Lax (another site's form POST does not carry it) and Secure on an https node. A
session lasts SESSION_LIFETIME from its last use, renewed at most once per RENEW_AFTER.
"""

from datetime import timedelta

from aiohttp import web

from storage.repositories import web_sessions as session_repo
from storage.types import utcnow

from .. import context
from ..registrations import may_sign_in
from .errors import JSON_PREFIXES
from .viewer import VIEWER

SESSION_COOKIE = "muralist_session"
SESSION_LIFETIME = timedelta(days=30)
RENEW_AFTER = timedelta(hours=1)
MAX_TOKEN = 100


def _set_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
                        samesite="Lax", secure=request.app[context.SETTINGS].scheme == "https", path="/")


async def start_session(request: web.Request, response: web.StreamResponse, account_id: int) -> None:
    async with request.app[context.SESSIONMAKER]() as session:
        token = await session_repo.put_web_session(session, account_id, SESSION_LIFETIME)
        await session.commit()
    _set_cookie(request, response, token)


async def end_session(request: web.Request, response: web.StreamResponse) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token and len(token) <= MAX_TOKEN:
        async with request.app[context.SESSIONMAKER]() as session:
            await session_repo.delete_web_session(session, token)
            await session.commit()
    response.del_cookie(SESSION_COOKIE, path="/")


async def _load(request: web.Request, token: str):
    async with request.app[context.SESSIONMAKER]() as session:
        found = await session_repo.get_web_session(session, token)
        if found is None:
            return None
        row, user, account = found
        if not may_sign_in(user):
            return None
        now = utcnow()
        if now - row.last_seen_at > RENEW_AFTER:
            await session_repo.update_web_session_seen(session, row.id, now, now + SESSION_LIFETIME)
            await session.commit()
        session.expunge_all()
    return user, account


@web.middleware
async def session_middleware(request: web.Request, handler):
    """Puts the signed-in (user, account) on pages' requests; API and federation requests never
    look at the cookie (they authenticate with tokens and signatures)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token and len(token) <= MAX_TOKEN and token.isascii() and not request.path.startswith(JSON_PREFIXES):
        found = await _load(request, token)
        if found is not None:
            request[VIEWER] = found
    return await handler(request)
