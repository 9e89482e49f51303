"""Direct conversations in the client API (https://docs.joinmastodon.org/methods/conversations/):
the signed-in user's conversations, newest first, marking one read, removing one; and the
`direct` stream's `conversation` events. Rows are written where a direct post arrives
(node/actions/conversations.py).

A conversation shows its newest post that still exists and that the user may see; one with
none left is not shown. Removing a conversation hides it until a new direct post arrives.
"""

import json

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Conversation
from storage.repositories import conversations as conversation_repo
from storage.repositories import posts as post_repo
from storage.repositories import statuses as status_repo

from .. import context
from ..routing import add_routes
from ..streaming_hub import Hub
from ..urls import Urls
from .auth import require_scopes
from .entities import format_id
from .pagination import page_params, paged_response
from .params import path_id
from .status_entity import render_accounts, render_statuses
from .visibility import visible_posts

ID = r"{id:\d+}"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/conversations", index),
        ("DELETE", f"/api/v1/conversations/{ID}", remove),
        ("POST", f"/api/v1/conversations/{ID}/read", mark_read),
    ])


async def render_conversations(session: AsyncSession, urls: Urls, viewer: Account,
                               rows: list[Conversation]) -> list[dict]:
    """Conversation entities in a few batched queries; a conversation with no post left is left out."""
    posts = await post_repo.get_posts_by_ids(session, [post_id for row in rows for post_id in row.post_ids])
    shown = {post.id: post for post in await visible_posts(session, viewer, list(posts.values()))}
    newest = {row.id: next((shown[i] for i in sorted(row.post_ids, reverse=True) if i in shown), None) for row in rows}
    statuses = {int(entity["id"]): entity for entity in await render_statuses(
        session, urls, viewer, [post for post in newest.values() if post is not None])}
    people = await status_repo.get_accounts_by_ids(session, {i for row in rows for i in row.participant_ids})
    accounts = {int(entity["id"]): entity for entity in await render_accounts(session, urls, list(people.values()))}
    mine = (await render_accounts(session, urls, [viewer]))[0]
    entities = []
    for row in rows:
        post = newest[row.id]
        if post is None or post.id not in statuses:
            continue
        others = [accounts[i] for i in row.participant_ids if i in accounts]
        entities.append({"id": format_id(row.id), "unread": row.unread, "accounts": others or [mine],
                         "last_status": statuses[post.id]})
    return entities


async def index(request: web.Request) -> web.Response:
    page = page_params(request)
    urls = request.app[context.URLS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "read:statuses", session=session)
        query, key = conversation_repo.conversations_query(auth.account.id)
        rows = page.newest_first((await session.execute(page.apply(query, key))).all())
        entities = await render_conversations(session, urls, auth.account, [row for _key, row in rows])
    return paged_response(request, urls, entities, [row_key for row_key, _row in rows])


async def remove(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:conversations", session=session)
        row = await conversation_repo.get_conversation(session, auth.account.id, path_id(request, what="conversation"))
        await session.delete(row)
        await session.commit()
    return web.json_response({})


async def mark_read(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:conversations", session=session)
        row = await conversation_repo.get_conversation(session, auth.account.id, path_id(request, what="conversation"))
        row.unread = False
        await session.commit()
        entities = await render_conversations(session, request.app[context.URLS], auth.account, [row])
    if not entities:
        return web.json_response({"id": format_id(row.id), "unread": False, "accounts": [], "last_status": None})
    return web.json_response(entities[0])


async def conversation_events(session: AsyncSession, app: web.Application, hub: Hub, post_ids: list[int]) -> None:
    """A new direct post updates each listening participant's `direct` stream, as Mastodon's
    `conversation` event, with the conversation as that participant sees it."""
    listening = hub.user_ids(("direct",))
    if not listening:
        return
    for post_id in post_ids:
        for row in await conversation_repo.get_conversations_with_post(session, post_id, listening):
            viewer = await session.get(Account, row.account_id)
            for entity in await render_conversations(session, app[context.URLS], viewer, [row]):
                hub.publish(("direct", row.account_id), "conversation", json.dumps(entity, separators=(",", ":")))
