"""Editing a status and reading its history (PUT/PATCH `/api/v1/statuses/:id`, `…/history`).

Every version is kept: at the first edit the original is stored as version one, and each edit
adds the version it produced, so `/history` answers the original and every edit, oldest first
(https://docs.joinmastodon.org/methods/statuses/#history). An edit may change the text, the
content warning, the sensitive flag, the language, the images (`media_ids`, the full new
list) and their descriptions (`media_attributes[]`); node.actions.update_post keeps the
versions and queues the Update, for local edits as for remote ones.
"""

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, MediaAttachment, Post
from storage.repositories import posts as post_repo
from storage.repositories import post_edits as edit_repo

from .. import actions, context
from ..actions.common import get_post
from ..routing import add_routes
from .auth import optional_scopes, require_scopes
from .body import Params, read_params
from .entities import format_time
from .media_entity import media_to_entity
from .params import path_id
from .status_entity import render_accounts, render_status
from .visibility import get_visible_post

ID = r"{id:\d+}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("PUT", f"/api/v1/statuses/{ID}", edit_status),
        ("PATCH", f"/api/v1/statuses/{ID}", edit_status),
        ("GET", f"/api/v1/statuses/{ID}/history", get_history),
    ])


async def _own_post(session: AsyncSession, account: Account, post_id: int) -> Post:
    post = await get_post(session, post_id)
    if post.account_id != account.id or not post.local or post.reblog_of_id is not None:
        raise NotFound(f"post {post_id} not found")
    return post


async def _media_of(session: AsyncSession, post: Post) -> list[MediaAttachment]:
    return (await post_repo.list_media(session, [post.id])).get(post.id, [])


def media_descriptions(params: Params) -> dict[int, str]:
    """`media_attributes[][id]` + `[description]` pairs of an edit, as {media id: description}."""
    descriptions = {}
    for item in params.mapping_list("media_attributes") or []:
        media_id = item.id("id")
        if media_id is None:
            raise item.error("id", "is required")
        description = item.string("description")
        if description is not None:
            descriptions[media_id] = description
    return descriptions


def edit_fields(params: Params) -> dict:
    """The fields an edit changes (None: left as it is), read and typed before anything is written."""
    return {
        "text": params.string("status"), "spoiler_text": params.string("spoiler_text"),
        "sensitive": params.boolean("sensitive"), "language": params.string("language"),
        "media_ids": params.id_list("media_ids"), "media_descriptions": media_descriptions(params),
        "quote_policy": params.string("quote_approval_policy"),
    }


async def edit_status(request: web.Request) -> web.Response:
    params = await read_params(request)
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:statuses", session=session)
        fields = edit_fields(params)
        post = await _own_post(session, auth.account, path_id(request, what="post"))
        post = await actions.update_post(session, request.app[context.SETTINGS], auth.account, post, **fields)
        await session.commit()
        entity = await render_status(session, request.app[context.URLS], auth.account, post)
    return web.json_response(entity)


async def _versions(session: AsyncSession, post: Post) -> list[tuple[dict, list[dict]]]:
    """(fields, media [{id, description}]) of each version, oldest first."""
    edits = await edit_repo.list_post_edits(session, post.id)
    if edits:
        return [({"content": edit.content, "spoiler_text": edit.spoiler_text, "sensitive": edit.sensitive,
                  "created_at": edit.created_at}, edit.media) for edit in edits]
    media = [{"id": item.id, "description": item.description or ""} for item in await _media_of(session, post)]
    return [({"content": post.content, "spoiler_text": post.spoiler_text or "", "sensitive": bool(post.sensitive),
              "created_at": post.created_at}, media)]


async def get_history(request: web.Request) -> web.Response:
    urls = request.app[context.URLS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await optional_scopes(request, "read:statuses", session=session)
        post = await get_visible_post(session, auth.account if auth else None, path_id(request, what="post"))
        if post.reblog_of_id is not None:
            raise NotFound(f"post {post.id} not found")
        versions = await _versions(session, post)
        media_ids = {item["id"] for _fields, media in versions for item in media}
        rows = {item.id: item for item in await post_repo.get_media_by_ids(session, sorted(media_ids))}
        author = await session.get(Account, post.account_id)
        [account] = await render_accounts(session, urls, [author])
    entities = []
    for fields, media in versions:
        attachments = [{**media_to_entity(urls, rows[item["id"]]), "description": item["description"] or None}
                       for item in media if item["id"] in rows]
        entities.append({**fields, "created_at": format_time(fields["created_at"]), "account": account,
                         "poll": None, "media_attachments": attachments, "emojis": []})
    return web.json_response(entities)
