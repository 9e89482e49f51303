"""Actor documents for local users and the instance actor, and their (still empty) collections."""

from aiohttp import web

from activitypub.actor import account_to_actor
from activitypub.context import AS_CONTEXT
from storage.errors import NotFound
from storage.models import Account
from storage.repositories import accounts as account_repo

from .. import context
from ..routing import add_routes
from ..web.pages import profile_page
from .negotiation import activity_response, wants_activity_json

COLLECTIONS = ("outbox", "followers", "following", "collections/featured")


def setup(app: web.Application) -> None:
    routes = [
        ("GET", "/users/{username}", user_actor),
        ("GET", "/actor", instance_actor),
    ]
    for name in COLLECTIONS:
        routes.append(("GET", f"/users/{{username}}/{name}", user_collection))
        routes.append(("GET", f"/actor/{name}", instance_collection))
    add_routes(app, routes)


async def _local_person(request: web.Request) -> Account:
    username = request.match_info["username"]
    async with request.app[context.SESSIONMAKER]() as session:
        account = await account_repo.get_local_person_by_username(session, username)
    if account is None:
        raise NotFound(f"no user named {username}")
    return account


def _actor_document(request: web.Request, account: Account) -> dict:
    urls = request.app[context.URLS]
    return account_to_actor(account, avatar_url=urls.default_avatar, header_url=urls.default_header)


async def user_actor(request: web.Request) -> web.Response:
    account = await _local_person(request)
    if not wants_activity_json(request):
        return profile_page(request, account)
    return activity_response(_actor_document(request, account))


async def instance_actor(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        account = await account_repo.get_instance_actor(session)
    if account is None:
        raise NotFound("the instance actor is not set up")
    return activity_response(_actor_document(request, account))


def _empty_collection(collection_uri: str) -> dict:
    return {
        "@context": AS_CONTEXT,
        "id": collection_uri,
        "type": "OrderedCollection",
        "totalItems": 0,
        "orderedItems": [],
    }


async def user_collection(request: web.Request) -> web.Response:
    account = await _local_person(request)
    name = request.path.rstrip("/").split(f"/users/{request.match_info['username']}/", 1)[1]
    return activity_response(_empty_collection(f"{account.actor_uri}/{name}"))


async def instance_collection(request: web.Request) -> web.Response:
    base = request.app[context.SETTINGS].base_url
    return activity_response(_empty_collection(f"{base}{request.path.rstrip('/')}"))
