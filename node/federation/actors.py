"""Actor documents for local users and the instance actor, and their collections.

A user's outbox, followers and following are paged the way Mastodon pages them: the
OrderedCollection states `totalItems` and links `first`; each OrderedCollectionPage
(`?page=true`, then `?page=true&max_id=...`) links `next` while more items remain. The
featured collection lists the pinned posts; the instance actor's collections are empty.
"""

from aiohttp import web

from activitypub.actor import account_to_actor
from activitypub.context import AS_CONTEXT, NOTE_CONTEXT
from activitypub.outbox.activities import strip_context
from storage.errors import NotFound
from storage.models import Account
from storage.repositories import accounts as account_repo
from storage.repositories import follows as follow_repo
from storage.repositories import pins as pin_repo
from storage.repositories import posts as post_repo
from storage.states import PUBLIC_VISIBILITIES

from .. import context
from ..actions.common import activities_of, load_note
from ..errors import ValidationError
from ..routing import add_routes
from ..web.pages import profile_page
from .negotiation import activity_response, wants_activity_json

COLLECTIONS = ("outbox", "followers", "following", "collections/featured")
OUTBOX_PAGE_SIZE = 20
ACCOUNTS_PAGE_SIZE = 40


def setup(app: web.Application) -> None:
    routes = [
        ("GET", "/users/{username}", user_actor),
        ("GET", "/actor", instance_actor),
        ("GET", "/users/{username}/outbox", outbox),
        ("GET", "/users/{username}/followers", followers),
        ("GET", "/users/{username}/following", following),
        ("GET", "/users/{username}/collections/featured", featured),
    ]
    for name in COLLECTIONS:
        routes.append(("GET", f"/actor/{name}", instance_collection))
    add_routes(app, routes)


async def _local_person(request: web.Request) -> Account:
    username = request.match_info["username"]
    async with request.app[context.SESSIONMAKER]() as session:
        account = await account_repo.get_local_person_by_username(session, username)
    if account is None:
        raise NotFound(f"no user named {username}")
    if account.gone_at is not None:
        raise ValidationError(f"{username} deleted this account", status=410)  # Gone, as Mastodon answers
    return account


def _actor_document(request: web.Request, account: Account) -> dict:
    urls = request.app[context.URLS]
    return account_to_actor(account, avatar_url=urls.default_avatar, header_url=urls.default_header)


async def user_actor(request: web.Request) -> web.Response:
    account = await _local_person(request)
    if not wants_activity_json(request):
        return await profile_page(request, account)
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


def _page_wanted(request: web.Request) -> tuple[bool, int | None]:
    """Whether a page (not the collection) is asked for, and the cursor it starts below."""
    max_id = request.query.get("max_id")
    if max_id is not None:
        if not max_id.isdigit():
            raise ValidationError("max_id must be a number", status=400)
        return True, int(max_id)
    return "page" in request.query, None


def _collection(collection_uri: str, total: int) -> dict:
    return {
        "@context": AS_CONTEXT,
        "id": collection_uri,
        "type": "OrderedCollection",
        "totalItems": total,
        "first": f"{collection_uri}?page=true",
    }


def _page(collection_uri: str, max_id: int | None, items: list, next_max_id: int | None,
          context_value=AS_CONTEXT) -> dict:
    cursor = f"&max_id={max_id}" if max_id is not None else ""
    page = {
        "@context": context_value,
        "id": f"{collection_uri}?page=true{cursor}",
        "type": "OrderedCollectionPage",
        "partOf": collection_uri,
        "orderedItems": items,
    }
    if next_max_id is not None:
        page["next"] = f"{collection_uri}?page=true&max_id={next_max_id}"
    return page


async def outbox(request: web.Request) -> web.Response:
    """Creates of the public and unlisted posts and Announces of boosts, newest first."""
    account = await _local_person(request)
    collection_uri = account.outbox_uri or f"{account.actor_uri}/outbox"
    wants_page, max_id = _page_wanted(request)
    async with request.app[context.SESSIONMAKER]() as session:
        if not wants_page:
            total = await post_repo.count_account_posts(session, account.id, visibilities=PUBLIC_VISIBILITIES)
            return activity_response(_collection(collection_uri, total))
        posts = await post_repo.list_account_posts(session, account.id, visibilities=PUBLIC_VISIBILITIES,
                                                   max_id=max_id, limit=OUTBOX_PAGE_SIZE + 1)
        items = await activities_of(session, request.app[context.URLS], account, posts[:OUTBOX_PAGE_SIZE])
    next_max_id = posts[OUTBOX_PAGE_SIZE - 1].id if len(posts) > OUTBOX_PAGE_SIZE else None
    # The embedded activities share the page's context (quote, policy and generation terms).
    page = _page(collection_uri, max_id, [strip_context(item) for item in items], next_max_id, NOTE_CONTEXT)
    return activity_response(page)


async def _accounts_collection(request: web.Request, name: str, count, listing) -> web.Response:
    account = await _local_person(request)
    collection_uri = f"{account.actor_uri}/{name}"
    wants_page, max_id = _page_wanted(request)
    async with request.app[context.SESSIONMAKER]() as session:
        if not wants_page:
            return activity_response(_collection(collection_uri, await count(session, account.id)))
        rows = await listing(session, account.id, max_id=max_id, limit=ACCOUNTS_PAGE_SIZE + 1)
    items = [other.actor_uri for _follow, other in rows[:ACCOUNTS_PAGE_SIZE]]
    next_max_id = rows[ACCOUNTS_PAGE_SIZE - 1][0].id if len(rows) > ACCOUNTS_PAGE_SIZE else None
    return activity_response(_page(collection_uri, max_id, items, next_max_id))


async def followers(request: web.Request) -> web.Response:
    return await _accounts_collection(request, "followers", follow_repo.count_followers, follow_repo.list_followers)


async def following(request: web.Request) -> web.Response:
    return await _accounts_collection(request, "following", follow_repo.count_following, follow_repo.list_following)


async def featured(request: web.Request) -> web.Response:
    """The pinned public and unlisted posts, embedded as Mastodon embeds them."""
    account = await _local_person(request)
    collection = _empty_collection(account.featured_uri or f"{account.actor_uri}/collections/featured")
    async with request.app[context.SESSIONMAKER]() as session:
        pinned = [post for post in await pin_repo.list_pinned_posts(session, account.id)
                  if post.visibility in PUBLIC_VISIBILITIES]
        notes = [strip_context(await load_note(session, request.app[context.URLS], post, account)) for post in pinned]
    collection.update({"@context": NOTE_CONTEXT, "totalItems": len(notes), "orderedItems": notes})
    return activity_response(collection)


async def instance_collection(request: web.Request) -> web.Response:
    base = request.app[context.SETTINGS].base_url
    return activity_response(_empty_collection(f"{base}{request.path.rstrip('/')}"))
