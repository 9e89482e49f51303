"""A local user's featured tags as ActivityPub: the collection the actor's `featuredTags`
names (`/users/{name}/collections/tags`), a `Collection` of `Hashtag` objects, as Mastodon
serves it (ActivityPub::Actor's featured_tags_collection) and reads it from other servers."""

from aiohttp import web

from activitypub.context import AS_CONTEXT
from storage.repositories import tags as tag_repo

from .. import context
from ..routing import add_routes
from .actors import _local_person
from .negotiation import activity_response


def setup(app: web.Application) -> None:
    add_routes(app, [("GET", "/users/{username}/collections/tags", featured_tags)])


async def featured_tags(request: web.Request) -> web.Response:
    account = await _local_person(request)
    urls = request.app[context.URLS]
    async with request.app[context.SESSIONMAKER]() as session:
        rows = await tag_repo.list_featured_tags(session, account.id)
    items = [{"type": "Hashtag", "href": urls.tag(tag.name), "name": f"#{tag.display_name}"} for _row, tag in rows]
    return activity_response({"@context": AS_CONTEXT, "id": f"{account.actor_uri}/collections/tags",
                              "type": "Collection", "totalItems": len(items), "items": items})
