"""The in-process event hub behind the streaming API: who listens to which stream, and handing
each listener its messages.

A stream is a (name, parameter) pair: ("user", account_id), ("user:notification",
account_id), ("public", None), ("public:local", None), ("hashtag", "tag"). Each listener
(one WebSocket) owns a bounded queue; a listener that stops reading is dropped rather than
let the node's memory grow. One hub per app, closed on shutdown so no socket outlives it.
"""

import asyncio
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from aiohttp import web

log = logging.getLogger(__name__)

MAX_QUEUED = 500
# Streams whose wire name carries the parameter (Mastodon sends ["hashtag", "cats"]).
NAMED_PARAMETER = ("hashtag", "hashtag:local", "list")

Stream = tuple[str, object]


def wire_stream(stream: Stream) -> list[str]:
    name, parameter = stream
    return [name, str(parameter)] if name in NAMED_PARAMETER else [name]


@dataclass(eq=False)
class Listener:
    """One connection's subscriptions and outgoing messages (JSON text frames)."""

    account_id: int | None
    streams: set[Stream] = field(default_factory=set)
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(MAX_QUEUED))
    closed: bool = False

    def send(self, message: str) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            log.info("dropping a streaming listener that stopped reading")
            self.close()

    def close(self) -> None:
        """Ask the connection to end; its sender sees None and closes the socket."""
        if not self.closed:
            self.closed = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)


class Hub:
    def __init__(self) -> None:
        self.subscribers: dict[Stream, set[Listener]] = {}
        self.listeners: set[Listener] = set()
        self.tasks: set[asyncio.Task] = set()
        self._tail: asyncio.Task | None = None
        self.closed = False

    def attach(self, listener: Listener) -> None:
        self.listeners.add(listener)
        if self.closed:
            listener.close()

    def detach(self, listener: Listener) -> None:
        for stream in list(listener.streams):
            self.unsubscribe(listener, stream)
        self.listeners.discard(listener)

    def subscribe(self, listener: Listener, stream: Stream) -> None:
        listener.streams.add(stream)
        self.subscribers.setdefault(stream, set()).add(listener)

    def unsubscribe(self, listener: Listener, stream: Stream) -> None:
        listener.streams.discard(stream)
        group = self.subscribers.get(stream)
        if group is not None:
            group.discard(listener)
            if not group:
                del self.subscribers[stream]

    def listening(self, stream: Stream) -> bool:
        return bool(self.subscribers.get(stream))

    def user_ids(self, names: Iterable[str] = ("user",)) -> set[int]:
        """Accounts with at least one listener on one of the per-user streams `names`."""
        return {parameter for (name, parameter) in self.subscribers if name in names}

    def publish(self, stream: Stream, event: str, payload) -> None:
        """Send `event` to the stream's listeners; the payload is a JSON-encoded string, as on
        Mastodon (clients decode `payload` a second time), or the bare id of a `delete`."""
        listeners = self.subscribers.get(stream)
        if not listeners:
            return
        text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
        message = json.dumps({"stream": wire_stream(stream), "event": event, "payload": text})
        for listener in list(listeners):
            listener.send(message)

    def publish_each(self, stream: Stream, event: str, payload_of) -> None:
        """`publish` with a payload per listener: `payload_of(listener)` answers its JSON text,
        or None to send it nothing (a post its own filters hide)."""
        for listener in list(self.subscribers.get(stream, ())):
            text = payload_of(listener)
            if text is not None:
                listener.send(json.dumps({"stream": wire_stream(stream), "event": event, "payload": text}))

    def account_ids_on(self, streams) -> set[int]:
        """The signed-in accounts listening to any of `streams`."""
        return {listener.account_id for stream in streams for listener in self.subscribers.get(stream, ())
                if listener.account_id is not None}

    def run(self, coro) -> None:
        """Run work for the hub in the background, one piece after another (so a post's
        `update` never overtakes its `delete`); cancelled if still running at shutdown."""
        if self.closed:
            coro.close()
            return
        previous = self._tail

        async def in_turn():
            try:
                if previous is not None:
                    await asyncio.wait([previous])
            except asyncio.CancelledError:
                coro.close()  # never started: close it, or Python warns it was never awaited
                raise
            await coro

        task = asyncio.get_running_loop().create_task(in_turn())
        self._tail = task
        self.tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("streaming event failed", exc_info=task.exception())

    async def close(self) -> None:
        self.closed = True
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for listener in list(self.listeners):
            listener.close()


STREAMING_HUB = web.AppKey("streaming_hub", Hub)
