"""Committed changes shared between the processes of one node, through PostgreSQL's LISTEN and
NOTIFY.

A node may run as several processes on one PostgreSQL database: web servers and `muralist
worker`s. Each process learns of its own commits directly (node.committed_changes); this feed
tells the others. After a commit that changed posts or notifications, or queued work, the
process sends the ids (and a `queued` flag) on the channel `muralist_changes`; every process
listens: web processes hand what others committed to their streaming hub, so a post the inbox
worker stored in another process still reaches WebSocket clients, and workers wake for work
another process queued. Payloads name the sending process and carry only ids, split so each
stays under PostgreSQL's 8000-byte limit.

SQLite has no such channel: there the processes that one `serve` starts share their changes
over a Unix socket instead (node/local_feed.py); `open_feed` picks the channel.
"""

import asyncio
import json
import logging
import uuid
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .committed_changes import Changes, DeletedPost

log = logging.getLogger(__name__)

CHANNEL = "muralist_changes"
MAX_PAYLOAD = 7000  # bytes of JSON per notification; PostgreSQL refuses 8000 and more
MAX_TAGS = 20       # of a deleted post, enough to route its hashtag streams
MAX_TAG_LENGTH = 100  # longer names are left out rather than overflow a payload


def encode(origin: str, changes: Changes) -> list[str]:
    """The notification payloads for `changes`, each under MAX_PAYLOAD bytes."""
    items = ([("new", post_id) for post_id in changes.new_post_ids]
             + [("edited", post_id) for post_id in changes.edited_post_ids]
             + [("deleted", [d.post_id, d.account_id, d.visibility, d.local, _routable(d.tags)])
                for d in changes.deleted_posts]
             + [("notifications", notification_id) for notification_id in changes.notification_ids])
    payloads: list[str] = []
    current: dict = {"origin": origin}
    size = len(json.dumps(current)) + 32
    for name, item in items:
        item_size = len(json.dumps(item)) + len(name) + 8
        if size + item_size > MAX_PAYLOAD and len(current) > 1:
            payloads.append(json.dumps(current, separators=(",", ":")))
            current, size = {"origin": origin}, len(json.dumps({"origin": origin})) + 32
        current.setdefault(name, []).append(item)
        size += item_size
    if changes.queued_work:
        current["queued"] = True
    if len(current) > 1:
        payloads.append(json.dumps(current, separators=(",", ":")))
    return payloads


def _routable(tags) -> list[str]:
    return [tag for tag in tags or [] if isinstance(tag, str) and len(tag) <= MAX_TAG_LENGTH][:MAX_TAGS]


def decode(payload: str) -> tuple[str, Changes] | None:
    """(origin, changes) from a payload; None for one this code did not write."""
    try:
        data = json.loads(payload)
        changes = Changes(
            new_post_ids=[int(i) for i in data.get("new", [])],
            edited_post_ids=[int(i) for i in data.get("edited", [])],
            deleted_posts=[DeletedPost(int(p), int(a), str(v), bool(local), [str(t) for t in tags])
                           for p, a, v, local, tags in data.get("deleted", [])],
            notification_ids=[int(i) for i in data.get("notifications", [])],
            queued_work=data.get("queued") is True,
        )
        return str(data["origin"]), changes
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("ignoring a %s notification that is not ours: %s", CHANNEL, exc)
        return None


class ChangeFeed:
    """One process's end of the channel: `send` after each commit, `listen` in web processes.

    On a database other than PostgreSQL both do nothing. A listening connection that the
    server or the network drops is opened again (with backoff); what other processes commit
    while it is down reaches no stream, as with any notification nobody listened for.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.origin = uuid.uuid4().hex
        self.enabled = engine.dialect.name == "postgresql"
        self._pending: list[Changes] = []
        self._flushing: asyncio.Task | None = None
        # Its own notifications come back to a listening process; they are known by their start.
        self._own_prefix = json.dumps({"origin": self.origin}, separators=(",", ":"))[:-1]
        self._listening: AsyncConnection | None = None
        self._on_changes: Callable[[Changes], None] | None = None
        self._again: asyncio.Task | None = None
        self._closing = False

    def send(self, changes: Changes) -> None:
        """Tell the other processes (soon, without holding up the caller)."""
        if not self.enabled or not changes:
            return
        self._pending.append(changes)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        # Commits that land while a notification is on its way go out together: under load a
        # burst of commits costs one connection and a few notifications, not one of each apiece.
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                async with self.engine.connect() as connection:
                    for payload in encode(self.origin, Changes.merged(batch)):
                        await connection.execute(text("SELECT pg_notify(:channel, :payload)"),
                                                 {"channel": CHANNEL, "payload": payload})
                    await connection.commit()
            except Exception:  # noqa: BLE001 - streaming is best effort; the rows are committed
                log.exception("could not tell other processes about committed changes")

    async def listen(self, on_changes: Callable[[Changes], None]) -> None:
        """Call `on_changes` with what other processes commit, until `close`."""
        if not self.enabled:
            return
        self._on_changes = on_changes
        await self._open_listener()

    async def _open_listener(self) -> None:
        connection = await self.engine.connect()
        try:
            driver = (await connection.get_raw_connection()).driver_connection
            await driver.add_listener(CHANNEL, self._received)
            driver.add_termination_listener(self._lost)
        except BaseException:
            await connection.close()
            raise
        self._listening = connection

    def _received(self, _connection, _pid, _channel, payload: str) -> None:
        if payload.startswith(self._own_prefix):
            return  # published here already, when it was committed
        decoded = decode(payload)
        if decoded is not None and self._on_changes is not None:
            self._on_changes(decoded[1])

    def _lost(self, _connection) -> None:
        if self._closing or (self._again is not None and not self._again.done()):
            return
        log.warning("the %s listener lost its connection; listening again", CHANNEL)
        self._again = asyncio.get_running_loop().create_task(self._listen_again())

    async def _listen_again(self) -> None:
        stale, self._listening = self._listening, None
        if stale is not None:
            await self._drop(stale)
        delay = 0.5
        while not self._closing:
            try:
                await self._open_listener()
                return
            except Exception as exc:  # noqa: BLE001 - the database may still be coming back
                log.warning("cannot listen on %s yet (%s); trying again in %.0f s", CHANNEL, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    @staticmethod
    async def _drop(connection: AsyncConnection) -> None:
        try:
            # Dropping the connection ends its LISTEN; returned to the pool, it would go on
            # listening for a hub that is gone.
            await connection.invalidate()
            await connection.close()
        except Exception:  # noqa: BLE001 - it is going away either way
            log.debug("closing the %s listener", CHANNEL, exc_info=True)

    async def close(self) -> None:
        self._closing = True
        if self._again is not None:
            self._again.cancel()
            await asyncio.gather(self._again, return_exceptions=True)
        if self._flushing is not None:
            await asyncio.gather(self._flushing, return_exceptions=True)
        if self._listening is not None:
            connection, self._listening = self._listening, None
            await self._drop(connection)


def open_feed(engine: AsyncEngine, settings, *, hub: bool, on_gone: Callable[[], None] | None = None):
    """This process's channel to the node's others: PostgreSQL's NOTIFY; else the socket of the
    `serve` that started the workers (`hub` is the serving process); else none (a disabled
    ChangeFeed: one process has nobody to tell)."""
    if engine.dialect.name != "postgresql" and settings.feed_socket:
        from .local_feed import LocalFeedClient, LocalFeedHub

        origin = uuid.uuid4().hex
        if hub:
            return LocalFeedHub(settings.feed_socket, origin)
        return LocalFeedClient(settings.feed_socket, origin, on_gone or (lambda: None))
    return ChangeFeed(engine)
