"""Statuses in the client API: post (with `Idempotency-Key`), view one or several, thread
context, source, and delete (answering the deleted status with its `text`, for redraft).

See https://docs.joinmastodon.org/methods/statuses/. Writing goes through node.actions, which
queues the federation deliveries in the same transaction; edits, history and reactions live
in status_edits.py and status_actions.py.
"""

import hashlib
from datetime import timedelta

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, Post
from storage.repositories import idempotency as idempotency_repo
from storage.repositories import posts as post_repo
from storage.types import utcnow

from .. import actions, context
from ..actions.common import get_post, original_of
from ..actions.hiding import shown_posts
from ..actions.polls import PollSpec, checked_poll
from ..errors import ValidationError
from ..routing import add_routes
from .auth import optional_scopes, require_scopes
from .body import Params, query_params, read_params
from .entities import html_to_text
from .params import path_id
from .scheduled_statuses import schedule_status
from .status_entity import render_status, render_statuses
from .visibility import get_visible_post, visible_posts

IDEMPOTENCY_WINDOW = timedelta(hours=1)  # how long Mastodon remembers an Idempotency-Key
MAX_ANCESTORS = 40
MAX_DESCENDANTS = 4096
MAX_IDS = 40
ID = r"{id:\d+}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("POST", "/api/v1/statuses", create_status),
        ("GET", "/api/v1/statuses", get_statuses),
        ("GET", f"/api/v1/statuses/{ID}", get_status),
        ("DELETE", f"/api/v1/statuses/{ID}", delete_status),
        ("GET", f"/api/v1/statuses/{ID}/context", get_context),
        ("GET", f"/api/v1/statuses/{ID}/source", get_source),
    ])


def _idempotency_key(request: web.Request) -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    # Keys are opaque to us; a very long one is kept as its digest.
    return key if len(key) <= 255 else hashlib.sha256(key.encode()).hexdigest()


async def _remembered(session: AsyncSession, account: Account, key: str | None) -> Post | None:
    if key is None:
        return None
    post_id = await idempotency_repo.get_idempotent_post_id(session, account.id, key, utcnow() - IDEMPOTENCY_WINDOW)
    return await post_repo.get_post_by_id(session, post_id) if post_id is not None else None


def poll_fields(params: Params) -> PollSpec | None:
    """`poll[options][]`, `poll[expires_in]`, `poll[multiple]`, `poll[hide_totals]`."""
    if not params.given("poll"):
        return None
    poll = params.mapping("poll")
    if poll is None:
        raise params.error("poll", "must be an object with options and expires_in")
    return checked_poll(poll.string_list("options", max_items=64), poll.integer("expires_in"),
                        poll.boolean("multiple"), poll.boolean("hide_totals"))


def post_fields(params: Params) -> dict:
    """The fields of a new post, read and typed before anything is written."""
    return {
        "text": params.string("status") or "", "media_ids": params.id_list("media_ids") or [],
        "visibility": params.string("visibility") or "public", "spoiler_text": params.string("spoiler_text") or "",
        "sensitive": params.boolean("sensitive", False), "language": params.string("language") or None,
        # Mastodon looks the parent up, so an id that names nothing is a 404 there too.
        "in_reply_to_id": params.id("in_reply_to_id", not_found="post"),
        # Mastodon 4.5: quote a post (a remix), and who may quote this one.
        "quote_of_id": params.id("quoted_status_id", not_found="post"),
        "quote_policy": params.string("quote_approval_policy"),
        "poll": poll_fields(params),
    }


async def create_status(request: web.Request) -> web.Response:
    params = await read_params(request)
    key = _idempotency_key(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:statuses", session=session)
        post = await _remembered(session, auth.account, key)
        if post is None and params.given("scheduled_at"):
            return await schedule_status(request, session, auth.account, post_fields(params),
                                         params.string("scheduled_at"))
        if post is None:
            fields = post_fields(params)
            post = await actions.create_post(session, request.app[context.SETTINGS], auth.account, **fields)
            if key is not None:
                await idempotency_repo.put_idempotency_key(session, auth.account.id, key, post.id,
                                                      utcnow() - IDEMPOTENCY_WINDOW)
            try:
                await session.commit()
            except IntegrityError:
                # A concurrent retry with the same key won the race: answer its post.
                await session.rollback()
                post = await _remembered(session, auth.account, key)
                if post is None:
                    raise
        entity = await render_status(session, request.app[context.URLS], auth.account, post)
    return web.json_response(entity)


async def get_status(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, "read:statuses", session=session)
        viewer = auth.account if auth else None
        post = await get_visible_post(session, viewer, path_id(request, what="post"))
        entity = await render_status(session, request.app[context.URLS], viewer, post)
    return web.json_response(entity)


async def get_statuses(request: web.Request) -> web.Response:
    """`GET /api/v1/statuses?id[]=…`: several statuses at once; unknown or hidden ones are left out."""
    ids = (query_params(request).id_list("id") or [])[:MAX_IDS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, "read:statuses", session=session)
        viewer = auth.account if auth else None
        found = await post_repo.get_posts_by_ids(session, ids)
        boosted = [post.reblog_of_id for post in found.values() if post.reblog_of_id]
        originals = await post_repo.get_posts_by_ids(session, boosted)
        shown = {post.id for post in await visible_posts(session, viewer, [*found.values(), *originals.values()])}
        posts = [found[i] for i in dict.fromkeys(ids) if i in shown
                 and (found[i].reblog_of_id is None or found[i].reblog_of_id in shown)]
        entities = await render_statuses(session, request.app[context.URLS], viewer, posts)
    return web.json_response(entities)


async def _ancestors(session: AsyncSession, post: Post) -> list[Post]:
    chain, current = [], post
    while current.in_reply_to_id is not None and len(chain) < MAX_ANCESTORS:
        parent = await post_repo.get_post_by_id(session, current.in_reply_to_id)
        if parent is None or parent.id in {item.id for item in chain}:
            break
        chain.append(parent)
        current = parent
    return list(reversed(chain))


async def _descendants(session: AsyncSession, post: Post) -> list[Post]:
    """Replies at any depth, in thread order (depth first, oldest first at each level)."""
    children: dict[int, list[Post]] = {}
    frontier, seen = [post.id], {post.id}
    while frontier and len(seen) < MAX_DESCENDANTS:
        replies = [r for r in await post_repo.list_replies(session, frontier, MAX_DESCENDANTS) if r.id not in seen]
        for reply in replies:
            children.setdefault(reply.in_reply_to_id, []).append(reply)
            seen.add(reply.id)
        frontier = [reply.id for reply in replies]
    ordered, stack = [], list(reversed(children.get(post.id, [])))
    while stack:
        item = stack.pop()
        ordered.append(item)
        stack.extend(reversed(children.get(item.id, [])))
    return ordered


async def get_context(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, "read:statuses", session=session)
        viewer = auth.account if auth else None
        post = await original_of(session, await get_visible_post(session, viewer, path_id(request, what="post")))
        urls = request.app[context.URLS]
        ancestors = await shown_posts(session, viewer, await visible_posts(session, viewer, await _ancestors(session, post)))
        descendants = await shown_posts(session, viewer,
                                        await visible_posts(session, viewer, await _descendants(session, post)))
        entities = await render_statuses(session, urls, viewer, ancestors + descendants, filter_context="thread")
    # A post a `hide` filter left out is missing from `entities`: split by id, not by position.
    above = {str(ancestor.id) for ancestor in ancestors}
    return web.json_response({"ancestors": [entity for entity in entities if entity["id"] in above],
                              "descendants": [entity for entity in entities if entity["id"] not in above]})


def _source_text(post: Post) -> str:
    return post.source_text if post.source_text is not None else html_to_text(post.content or "")


async def get_source(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:statuses", session=session)
        post = await get_visible_post(session, auth.account, path_id(request, what="post"))
    return web.json_response({"id": str(post.id), "text": _source_text(post), "spoiler_text": post.spoiler_text or ""})


async def delete_status(request: web.Request) -> web.Response:
    """Delete one's own post (or boost); the answer keeps `text` and the images for redraft."""
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:statuses", session=session)
        post = await get_post(session, path_id(request, what="post"))
        if post.account_id != auth.account.id:
            raise NotFound(f"post {post.id} not found")
        entity = await render_status(session, request.app[context.URLS], auth.account, post)
        entity["text"] = _source_text(post)
        if post.reblog_of_id is None:
            # Mastodon keeps the images of a deleted post, so the redraft can attach them again.
            await post_repo.detach_media(session, post.id)
        await actions.delete_post(session, request.app[context.SETTINGS], auth.account, post)
        await session.commit()
    return web.json_response(entity)
