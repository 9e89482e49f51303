"""Timelines and saved lists in the client API: home, public (local / remote / only_media),
hashtag, a list's, favourites and bookmarks (https://docs.joinmastodon.org/methods/timelines/,
/methods/favourites/, /methods/bookmarks/).

Each list is one paged select (storage.repositories.timelines) and one batched render, with
`Link` headers keyed like Mastodon's: post ids for timelines, the favourite's or bookmark's
own id for those lists.
"""

from aiohttp import web

from storage.repositories import lists as list_repo
from storage.repositories import timelines as timeline_repo

from .. import context
from ..routing import add_routes
from .auth import optional_scopes, require_scopes
from .body import query_params
from .hashtag_params import hashtag_conditions
from .pagination import page_params, paged_response
from .params import path_id
from .status_entity import render_statuses
from ..actions.hiding import hidden_posts_clause
from .visibility import visible_posts


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/timelines/home", home),
        ("GET", "/api/v1/timelines/public", public),
        ("GET", "/api/v1/timelines/tag/{hashtag}", hashtag),
        ("GET", r"/api/v1/timelines/list/{id:\d+}", list_timeline),
        ("GET", "/api/v1/favourites", favourites),
        ("GET", "/api/v1/bookmarks", bookmarks),
    ])


async def _answer(request: web.Request, session, viewer, built, *, recheck: bool = False,
                  filter_context: str | None = None) -> web.Response:
    """Run one page of `built` = (select of post rows, key column) and answer it with `Link`."""
    query, key = built
    query = query.where(await hidden_posts_clause(session, viewer))  # blocks, mutes, silences
    page = page_params(request)
    rows = page.newest_first((await session.execute(page.apply(query, key))).all())
    posts = list(rows)
    if recheck:
        # Saved lists may hold posts that became hidden since (an unfollow of a private author).
        shown = {post.id for post in await visible_posts(session, viewer, posts)}
        posts = [post for post in posts if post.id in shown]
    urls = request.app[context.URLS]
    entities = await render_statuses(session, urls, viewer, posts, filter_context=filter_context)
    return paged_response(request, urls, entities, [row.page_key for row in rows])


async def home(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:statuses", session=session)
        return await _answer(request, session, auth.account, timeline_repo.home_query(auth.account.id),
                             filter_context="home")


def _public_filters(request: web.Request) -> dict:
    query = query_params(request)
    local, remote = query.boolean("local", False), query.boolean("remote", False)
    return {"local": True if local else False if remote else None, "only_media": query.boolean("only_media", False)}


async def public(request: web.Request) -> web.Response:
    filters = _public_filters(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, "read:statuses", session=session)
        viewer = auth.account if auth else None
        return await _answer(request, session, viewer, timeline_repo.public_query(**filters), filter_context="public")


async def hashtag(request: web.Request) -> web.Response:
    filters = _public_filters(request)
    tag = request.match_info["hashtag"].lstrip("#")
    more = hashtag_conditions(query_params(request))  # any[], all[], none[]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, "read:statuses", session=session)
        viewer = auth.account if auth else None
        query, key = timeline_repo.public_query(**filters, tag=None if more.any else tag)
        return await _answer(request, session, viewer, (query.where(*more.conditions(tag)), key),
                             filter_context="public")


async def list_timeline(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:lists", session=session)
        found = await list_repo.get_list(session, auth.account.id, path_id(request, what="list"))
        return await _answer(request, session, auth.account, list_repo.list_timeline_query(found),
                             filter_context="home")


async def favourites(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:favourites", session=session)
        built = timeline_repo.favourites_query(auth.account.id)
        return await _answer(request, session, auth.account, built, recheck=True)


async def bookmarks(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:bookmarks", session=session)
        built = timeline_repo.bookmarks_query(auth.account.id)
        return await _answer(request, session, auth.account, built, recheck=True)
