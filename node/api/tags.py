"""Tags in the client API (https://docs.joinmastodon.org/methods/tags/, /methods/followed_tags/,
/methods/featured_tags/): a tag with its week of use and whether the user follows and
features it; following and unfollowing; the followed tags; featured tags (the user's, made
and removed, suggested, and any account's). Followed tags bring public posts into the home
feed where posts arrive (node/actions/tags.py); featured tags of local users are federated
as the actor's `featuredTags` collection (node/federation/featured_tags.py).
"""

from datetime import datetime, time, timedelta, timezone

from aiohttp import web

from storage.errors import NotFound
from storage.models import Account, Tag
from storage.repositories import accounts as account_repo
from storage.repositories import posts as post_repo
from storage.repositories import tags as tag_repo
from storage.types import utcnow

from .. import actions, context
from ..actions.tags import tag_name
from ..routing import add_routes
from ..urls import Urls
from .auth import optional_scopes, require_scopes
from .body import read_params
from .entities import format_id, format_time
from .pagination import page_params, paged_response
from .params import path_id

HISTORY_DAYS = 7
MAX_HISTORY_POSTS = 10000
NAME = "{name}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", f"/api/v1/tags/{NAME}", show),
        ("POST", f"/api/v1/tags/{NAME}/follow", follow),
        ("POST", f"/api/v1/tags/{NAME}/unfollow", unfollow),
        ("POST", f"/api/v1/tags/{NAME}/feature", feature),
        ("POST", f"/api/v1/tags/{NAME}/unfeature", unfeature),
        ("GET", "/api/v1/followed_tags", followed_tags),
        ("GET", "/api/v1/featured_tags", featured_tags),
        ("POST", "/api/v1/featured_tags", create_featured_tag),
        ("GET", "/api/v1/featured_tags/suggestions", suggestions),
        ("DELETE", r"/api/v1/featured_tags/{id:\d+}", delete_featured_tag),
        ("GET", r"/api/v1/accounts/{id:\d+}/featured_tags", account_featured_tags),
    ])


async def history(session, name: str) -> list[dict]:
    """Posts and distinct authors with the tag per UTC day, today first (Mastodon's TagHistory)."""
    today = datetime.combine(utcnow().date(), time(), tzinfo=timezone.utc)
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS)]
    uses = await tag_repo.get_tag_uses(session, name, days[-1], MAX_HISTORY_POSTS)
    entries = []
    for day in days:
        authors = [author for created_at, author in uses if day <= created_at < day + timedelta(days=1)]
        entries.append({"day": str(int(day.timestamp())), "uses": str(len(authors)),
                        "accounts": str(len(set(authors)))})
    return entries


async def render_tags(session, urls: Urls, viewer: Account | None, tags: list[Tag], *, with_history=True) -> list[dict]:
    ids = [tag.id for tag in tags]
    followed = await tag_repo.get_followed_tag_ids(session, viewer.id, ids) if viewer else set()
    featured = await tag_repo.get_featured_tag_ids(session, viewer.id, ids) if viewer else set()
    entities = []
    for tag in tags:
        entity = {"id": format_id(tag.id), "name": tag.display_name, "url": urls.tag(tag.name),
                  "history": await history(session, tag.name) if with_history else []}
        if viewer is not None:
            entity.update(following=tag.id in followed, featuring=tag.id in featured)
        entities.append(entity)
    return entities


async def _known_tag(session, raw: str) -> Tag:
    """The tag named in the path: a row, or a name some post uses (answered as a new row would be)."""
    name = tag_name(raw)
    tag = await tag_repo.get_tag_by_name(session, name)
    if tag is None:
        if not await tag_repo.any_post_with_tag(session, name):
            raise NotFound(f"tag {name} not found")
        tag = Tag(id=0, name=name.lower(), display_name=name)
    return tag


async def show(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, "read:statuses", session=session)
        tag = await _known_tag(session, request.match_info["name"])
        [entity] = await render_tags(session, request.app[context.URLS], auth.account if auth else None, [tag])
    if entity["id"] == "0":
        entity["id"] = None  # no row yet: nobody follows or features it
    return web.json_response({key: value for key, value in entity.items() if value is not None})


async def _change(request: web.Request, scope: str, change) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, scope, session=session)
        tag = await change(session, auth.account, request.match_info["name"])
        await session.commit()
        if tag is None:  # unfollowing or unfeaturing a tag nobody ever used
            tag = Tag(id=0, name=tag_name(request.match_info["name"]).lower(),
                      display_name=tag_name(request.match_info["name"]))
        [entity] = await render_tags(session, request.app[context.URLS], auth.account, [tag])
    return web.json_response(entity)


async def follow(request: web.Request) -> web.Response:
    return await _change(request, "write:follows", actions.follow_tag)


async def unfollow(request: web.Request) -> web.Response:
    return await _change(request, "write:follows", actions.unfollow_tag)


async def _feature(session, account, name):
    await actions.feature_tag(session, account, name, strict=False)
    return await tag_repo.get_tag_by_name(session, tag_name(name))


async def _unfeature(session, account, name):
    tag = await tag_repo.get_tag_by_name(session, tag_name(name))
    if tag is not None:
        await tag_repo.delete_featured_tag(session, account.id, tag.id)
    return tag


async def feature(request: web.Request) -> web.Response:
    return await _change(request, "write:accounts", _feature)


async def unfeature(request: web.Request) -> web.Response:
    return await _change(request, "write:accounts", _unfeature)


async def followed_tags(request: web.Request) -> web.Response:
    page = page_params(request, default=100, maximum=200)
    urls = request.app[context.URLS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:follows", session=session)
        query, key = tag_repo.followed_tags_query(auth.account.id)
        rows = page.newest_first((await session.execute(page.apply(query, key))).all())
        entities = await render_tags(session, urls, auth.account, [tag for _id, tag in rows])
    return paged_response(request, urls, entities, [follow_id for follow_id, _tag in rows])


async def render_featured(session, urls: Urls, account: Account) -> list[dict]:
    """FeaturedTag entities: the tag, the account's public posts with it and the latest one's day."""
    rows = await tag_repo.list_featured_tags(session, account.id)
    stats = await tag_repo.get_account_tag_stats(session, account.id, [tag.name for _row, tag in rows])
    profile = account.url or urls.profile(account.username)
    entities = []
    for row, tag in rows:
        count, last = stats[tag.name]
        entities.append({"id": format_id(row.id), "name": tag.display_name, "url": f"{profile}/tagged/{tag.name}",
                         "statuses_count": str(count), "last_status_at": format_time(last)[:10] if last else None})
    return entities


async def featured_tags(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:accounts", session=session)
        return web.json_response(await render_featured(session, request.app[context.URLS], auth.account))


async def create_featured_tag(request: web.Request) -> web.Response:
    params = await read_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:accounts", session=session)
        row = await actions.feature_tag(session, auth.account, params.string("name") or "")
        await session.commit()
        entities = await render_featured(session, request.app[context.URLS], auth.account)
    return web.json_response(next(entity for entity in entities if entity["id"] == format_id(row.id)))


async def delete_featured_tag(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:accounts", session=session)
        row = await tag_repo.get_featured_tag(session, auth.account.id, path_id(request, what="featured tag"))
        if row is None:
            raise NotFound(f"featured tag {request.match_info['id']} not found")
        await session.delete(row)
        await session.commit()
    return web.json_response({})


async def suggestions(request: web.Request) -> web.Response:
    """Tags of the user's recent posts that are not featured yet, most used first."""
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:accounts", session=session)
        posts = await post_repo.list_account_posts(session, auth.account.id, visibilities=("public", "unlisted"),
                                                   limit=200)
        counts: dict[str, int] = {}
        for post in posts:
            for name in post.tags or []:
                counts[str(name)] = counts.get(str(name), 0) + 1
        featured = {tag.name for _row, tag in await tag_repo.list_featured_tags(session, auth.account.id)}
        names = [name for name in sorted(counts, key=lambda n: -counts[n]) if name not in featured][:10]
        tags = [await tag_repo.get_tag_by_name(session, name) or Tag(id=0, name=name, display_name=name)
                for name in names]
        entities = await render_tags(session, request.app[context.URLS], auth.account, tags, with_history=False)
    return web.json_response(entities)


async def account_featured_tags(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        await optional_scopes(request, "read:accounts", session=session)
        account = await account_repo.get_account_by_id(session, path_id(request, what="account"))
        return web.json_response(await render_featured(session, request.app[context.URLS], account))
