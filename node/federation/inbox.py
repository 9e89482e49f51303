"""The inbox endpoints: personal (`/users/{name}/inbox`) and shared (`/inbox`).

They only verify, store and answer 202; workers do the rest (DESIGN.md, "How an incoming
activity travels").
"""

from aiohttp import web

from activitypub.errors import InvalidActivity, SignatureError
from activitypub.inbox.receive import (
    MAX_ACTIVITY_BYTES,
    InboxWriter,
    parse_activity,
    shared_lookups,
    verify_and_parse,
)
from activitypub.shapes import has_type, id_of
from storage.errors import NotFound
from storage.repositories import accounts as account_repo

from .. import context
from ..routing import add_routes
from .domain_gate import SUSPENDED_DOMAINS, SuspendedDomains, refuse_suspended
from .runtime import FEDERATION

ACCEPTED_TYPES = ("application/activity+json", "application/ld+json", "application/json")
INBOX_WRITER = web.AppKey("inbox_writer", InboxWriter)
INBOX_KEYS = web.AppKey("inbox_keys", object)


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_writer)
    add_routes(app, [
        ("POST", "/inbox", shared_inbox),
        ("POST", "/users/{username}/inbox", personal_inbox),
        ("POST", "/actor/inbox", shared_inbox),
    ])


async def _writer(app: web.Application):
    """cleanup_ctx entry (after the database and the federation runtime): one group-committing
    writer per node, and the key lookup that concurrent requests share."""
    writer = InboxWriter(app[context.SESSIONMAKER])
    app[INBOX_WRITER] = writer
    app[INBOX_KEYS] = shared_lookups(app[FEDERATION].get_key)
    app[SUSPENDED_DOMAINS] = SuspendedDomains(app[context.SESSIONMAKER])
    yield
    await writer.close()


async def _read_body(request: web.Request) -> bytes:
    if request.content_type not in ACCEPTED_TYPES:
        raise web.HTTPUnsupportedMediaType(text=f"unsupported content type {request.content_type}")
    if request.content_length is not None and request.content_length > MAX_ACTIVITY_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_ACTIVITY_BYTES, actual_size=request.content_length)
    body = await request.content.read(MAX_ACTIVITY_BYTES + 1)
    if len(body) > MAX_ACTIVITY_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_ACTIVITY_BYTES, actual_size=len(body))
    return body


def _is_self_delete(body: bytes) -> bool:
    try:
        activity = parse_activity(body)
    except InvalidActivity:
        return False
    return has_type(activity, "Delete") and id_of(activity.get("object")) == id_of(activity.get("actor"))


async def _receive(request: web.Request, recipient_account_id: int | None) -> web.Response:
    await refuse_suspended(request)
    body = await _read_body(request)
    settings = request.app[context.SETTINGS]
    try:
        # The public host, not the Host the socket saw: behind a proxy only the configured
        # one says which server the signer meant.
        activity = await verify_and_parse(request.method, request.path_qs, request.headers, body,
                                          request.app[INBOX_KEYS], settings.scheme, settings.domain)
    except SignatureError:
        # A deleted account's key can no longer be fetched; its farewell Delete is dropped
        # quietly instead of being retried by its server for days.
        if _is_self_delete(body):
            return web.Response(status=202)
        raise
    await request.app[INBOX_WRITER].store(activity, body, recipient_account_id)
    return web.Response(status=202)


async def shared_inbox(request: web.Request) -> web.Response:
    return await _receive(request, None)


async def personal_inbox(request: web.Request) -> web.Response:
    username = request.match_info["username"]
    async with request.app[context.SESSIONMAKER]() as session:
        account = await account_repo.get_local_person_by_username(session, username)
    if account is None:
        raise NotFound(f"no user named {username}")
    return await _receive(request, account.id)
