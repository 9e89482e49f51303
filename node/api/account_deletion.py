"""A user deleting her own account from an app: `POST /api/v1/accounts/delete` with her
`password`, a `write:accounts` token. Mastodon offers this only on its settings page
(/settings/delete, which also asks for the password); the rule is
node/actions/account_deletion.py's. Answers `{}`; the token stops working."""

from aiohttp import web

from .. import context
from ..accounts import check_password
from ..actions.account_deletion import delete_own_account
from ..errors import ValidationError
from ..routing import add_routes
from .auth import require_scopes
from .body import read_params


def setup(app: web.Application) -> None:
    add_routes(app, [("POST", "/api/v1/accounts/delete", delete_account)])


async def delete_account(request: web.Request) -> web.Response:
    params = await read_params(request)
    password = params.string("password", max_length=1000)
    if not password:
        raise ValidationError("password is missing: deleting an account asks for it")
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:accounts", session=session)
        if not check_password(auth.user.password_hash, password):
            raise ValidationError("the password is wrong", status=403)
        await delete_own_account(session, settings, auth.account)
        await session.commit()
    return web.json_response({})
