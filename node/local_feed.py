"""Committed changes shared between `muralist serve` and the worker processes it starts, over a
Unix socket: the same job as node/change_feed.py's PostgreSQL NOTIFY, for a node on SQLite
(which has no such channel) or any node whose processes one `serve` started.

The serving process is the hub: it listens on the socket, hears what each worker commits
(posts and notifications for its streams, queued work for the workers) and passes every line
on to the other workers; what it commits itself it sends to all of them. A worker is a
client: it sends what it commits and hears what the others did. Lines are the change feed's
own payloads (node/change_feed.py `encode`), one per line. When the hub goes away, its
workers hear the end of the stream and stop: a worker never outlives its `serve`.
"""

import asyncio
import logging
from collections.abc import Callable

from .change_feed import decode, encode
from .committed_changes import Changes

log = logging.getLogger(__name__)

MAX_LINE = 64 * 1024


class LocalFeedHub:
    """The serving process's end: listen, relay, and tell every worker what it commits."""

    def __init__(self, path: str, origin: str) -> None:
        self.path, self.origin = path, origin
        self.enabled = True
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._on_changes: Callable[[Changes], None] | None = None

    def send(self, changes: Changes) -> None:
        if changes:
            self._broadcast([payload.encode() + b"\n" for payload in encode(self.origin, changes)], None)

    async def listen(self, on_changes: Callable[[Changes], None]) -> None:
        self._on_changes = on_changes
        self._server = await asyncio.start_unix_server(self._serve, path=self.path, limit=MAX_LINE)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while line := await reader.readline():
                decoded = decode(line.decode("utf-8", "replace").strip())
                if decoded is None:
                    continue
                self._broadcast([line], writer)
                if self._on_changes is not None:
                    self._on_changes(decoded[1])
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass  # a worker that went away; the rest carry on
        finally:
            self._writers.discard(writer)
            writer.close()

    def _broadcast(self, lines: list[bytes], source: asyncio.StreamWriter | None) -> None:
        for writer in list(self._writers):
            if writer is source or writer.is_closing():
                continue
            for line in lines:
                writer.write(line)

    async def close(self) -> None:
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


class LocalFeedClient:
    """A worker's end: send what this process commits, hear what the others commit, and
    call `on_gone` when the serving process is gone."""

    def __init__(self, path: str, origin: str, on_gone: Callable[[], None]) -> None:
        self.path, self.origin, self.on_gone = path, origin, on_gone
        self.enabled = True
        self._writer: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task | None = None

    def send(self, changes: Changes) -> None:
        if changes and self._writer is not None and not self._writer.is_closing():
            for payload in encode(self.origin, changes):
                self._writer.write(payload.encode() + b"\n")

    async def listen(self, on_changes: Callable[[Changes], None]) -> None:
        reader, self._writer = await asyncio.open_unix_connection(self.path, limit=MAX_LINE)
        self._reading = asyncio.get_running_loop().create_task(self._read(reader, on_changes))

    async def _read(self, reader: asyncio.StreamReader, on_changes: Callable[[Changes], None]) -> None:
        try:
            while line := await reader.readline():
                decoded = decode(line.decode("utf-8", "replace").strip())
                if decoded is not None and decoded[0] != self.origin:
                    on_changes(decoded[1])
        except (ConnectionError, ValueError):
            pass
        log.warning("the serving process is gone; this worker stops")
        self.on_gone()

    async def close(self) -> None:
        if self._reading is not None:
            self._reading.cancel()
            await asyncio.gather(self._reading, return_exceptions=True)
        if self._writer is not None:
            self._writer.close()
