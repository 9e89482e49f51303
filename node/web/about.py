"""`/about`: what this node is, who runs it, its rules and whether it takes sign-ups. The
instance actor's `url` points here."""

from aiohttp import web

from storage.repositories import accounts as account_repo

from .. import context
from ..registrations import approval_required, sign_ups_open
from ..routing import add_routes
from .rendering import page


def setup(app: web.Application) -> None:
    add_routes(app, [("GET", "/about", about)])


async def about(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        users = await account_repo.list_local_users(session)
    admins = [account for user, account in users if user.admin]
    if not sign_ups_open(settings):
        registrations = "Registrations are closed."
    elif approval_required(settings):
        registrations = "Anyone may sign up; a moderator approves each new account before it can sign in."
    else:
        registrations = "Anyone may sign up."
    return await page(request, "about.html", {
        "admins": admins, "registrations": registrations, "sign_ups_open": sign_ups_open(settings),
        "contact_email": settings.contact_email, "user_count": len(users),
    })
