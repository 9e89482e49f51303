"""The streaming API: a WebSocket at GET /api/v1/streaming, and GET /api/v1/streaming/health.

See https://docs.joinmastodon.org/methods/streaming/. A client names its first stream in the
query (`?stream=user`, `?stream=hashtag&tag=cats`) and changes them with text messages
(`{"type": "subscribe", "stream": "user"}`); events arrive as `{"stream": [...], "event":
"update", "payload": "<JSON string>"}`. Browsers cannot set headers on a WebSocket, so the token
may come as the `Sec-WebSocket-Protocol` (echoed back as the chosen protocol, as Mastodon
does), the `access_token` query parameter, or `Authorization: Bearer`.
"""

import asyncio
import json
from contextlib import suppress

from aiohttp import WSCloseCode, WSMsgType, web

from ..errors import NotAuthorized, ValidationError
from ..routing import add_routes
from ..streaming_hub import STREAMING_HUB, Listener, Stream
from .auth import Auth, authenticate
from .list_stream import owns_list
from .params import parse_id
from .stream_events import close_listeners, streaming_ctx

HEARTBEAT_SECONDS = 30.0
MAX_MESSAGE_BYTES = 4096
MAX_STREAMS = 50
# Stream name -> (needs a signed-in user, scopes that allow it).
STREAMS = {
    "user": (True, ("read", "read:statuses")),
    "user:notification": (True, ("read", "read:notifications")),
    "public": (False, ("read", "read:statuses")),
    "public:local": (False, ("read", "read:statuses")),
    "hashtag": (False, ("read", "read:statuses")),
    "hashtag:local": (False, ("read", "read:statuses")),
    "list": (True, ("read", "read:lists")),
    "direct": (True, ("read", "read:statuses")),
}


class StreamRefused(Exception):
    """A subscription the connection may not make; told to the client, the socket stays open."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/streaming", stream),
        ("GET", "/api/v1/streaming/health", health),
    ])
    app.cleanup_ctx.append(streaming_ctx)
    app.on_shutdown.append(close_listeners)


async def health(request: web.Request) -> web.Response:
    return web.Response(text="OK")


def stream_of(auth: Auth | None, name, tag, list_id=None) -> Stream:
    """The hub's stream for a requested name (and tag or list), or StreamRefused; whether the
    user owns a list is checked by `check_stream`."""
    if name not in STREAMS:
        raise StreamRefused("Unknown stream type", 400)
    needs_user, scopes = STREAMS[name]
    if auth is not None and not auth.allows(*scopes):
        raise StreamRefused("Access token does not have the required scopes", 401)
    if needs_user and (auth is None or auth.account is None):
        raise StreamRefused("Missing access token", 401)
    if name.startswith("hashtag"):
        if not isinstance(tag, str) or not tag.strip().lstrip("#"):
            raise StreamRefused("No tag for stream provided", 400)
        return name, tag.strip().lstrip("#").lower()
    if name == "list":
        if parse_id(list_id) is None:
            raise StreamRefused("No list for stream provided", 400)
        return name, parse_id(list_id)
    return name, auth.account.id if needs_user else None


async def _authenticate(request: web.Request) -> tuple[Auth | None, str | None]:
    """(auth, protocol to echo); a token that is sent must be valid (401 before the upgrade)."""
    protocol = request.headers.get("Sec-WebSocket-Protocol", "").strip() or None
    if protocol is not None and "," not in protocol:
        cloned = request.clone(headers={**request.headers, "Authorization": f"Bearer {protocol}"})
        return await authenticate(cloned), protocol
    return await authenticate(request), None


def _error(message: str, status: int) -> str:
    return json.dumps({"error": message, "status": status})


async def _send_loop(ws: web.WebSocketResponse, listener: Listener) -> None:
    while (message := await listener.queue.get()) is not None:
        await ws.send_str(message)
    await ws.close(code=WSCloseCode.GOING_AWAY)


async def check_stream(app: web.Application, auth: Auth | None, target: Stream) -> Stream:
    """A list is streamed to its owner only (Mastodon: "Not authorized to stream this list")."""
    if target[0] == "list" and not await owns_list(app, auth.account.id, target[1]):
        raise StreamRefused("Not authorized to stream this list", 401)
    return target


async def _handle_message(app, hub, listener: Listener, auth: Auth | None, text: str) -> None:
    """Apply one client message (subscribe or unsubscribe); StreamRefused for a bad one."""
    if len(text) > MAX_MESSAGE_BYTES:
        raise StreamRefused("Message too large", 400)
    try:
        message = json.loads(text)
    except ValueError:
        raise StreamRefused("Invalid JSON", 400) from None
    if not isinstance(message, dict) or message.get("type") not in ("subscribe", "unsubscribe"):
        raise StreamRefused("Unknown message type", 400)
    target = await check_stream(app, auth, stream_of(auth, message.get("stream"), message.get("tag"),
                                                     message.get("list")))
    if message["type"] == "unsubscribe":
        hub.unsubscribe(listener, target)
    elif len(listener.streams) >= MAX_STREAMS:
        raise StreamRefused("Too many streams", 400)
    else:
        hub.subscribe(listener, target)


async def stream(request: web.Request) -> web.StreamResponse:
    hub = request.app[STREAMING_HUB]
    auth, protocol = await _authenticate(request)
    first = None
    if request.query.get("stream"):
        try:
            first = await check_stream(request.app, auth, stream_of(
                auth, request.query["stream"], request.query.get("tag"), request.query.get("list")))
        except StreamRefused as exc:
            # Before the upgrade, a refusal is an ordinary error answer.
            if exc.status == 401:
                raise NotAuthorized(str(exc)) from None
            raise ValidationError(str(exc), status=exc.status) from None
    ws = web.WebSocketResponse(protocols=(protocol,) if protocol else (), heartbeat=HEARTBEAT_SECONDS,
                               max_msg_size=MAX_MESSAGE_BYTES)
    if not ws.can_prepare(request).ok:
        raise ValidationError("this endpoint needs a WebSocket upgrade", status=400)
    await ws.prepare(request)
    listener = Listener(account_id=auth.account_id if auth else None)
    hub.attach(listener)
    if first is not None:
        hub.subscribe(listener, first)
    sender = asyncio.create_task(_send_loop(ws, listener))
    try:
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                await _handle_message(request.app, hub, listener, auth, message.data)
            except StreamRefused as exc:
                listener.send(_error(str(exc), exc.status))
    finally:
        hub.detach(listener)
        listener.close()
        with suppress(ConnectionError, RuntimeError):
            await sender
        await ws.close()
    return ws

