"""Who may call the admin API: a token with the `admin:*` scope asked for, of a user with the
admin role (https://docs.joinmastodon.org/api/oauth-scopes/#admin). Others get Mastodon's 403."""

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import Forbidden
from .auth import Auth, require_scopes

NOT_ALLOWED = "This action is not allowed"


async def require_admin(request: web.Request, scope: str, session: AsyncSession) -> Auth:
    auth = await require_scopes(request, scope, session=session)
    if auth.user is None or not auth.user.admin:
        raise Forbidden(NOT_ALLOWED)
    return auth
