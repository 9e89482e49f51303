"""Background workers: the inbox processor, the delivery sender and the image generator, run
inside `serve` or on their own by `muralist worker`, and driven to quiescence by `settle()` in tests."""

import asyncio
import logging
from contextlib import suppress

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker

from activitypub.delivery.worker import deliver_due
from activitypub.inbox.process import process_due

from . import context
from .committed_changes import Changes
from .federation.handlers.registry import HandlerContext
from .federation.grouped import group_handler
from .federation.processing import item_handler
from .federation.runtime import FEDERATION, Federation
from .generations import GenerationRunner
from .push import rounds as push_rounds
from .timed_work import due_round
from .settings import Settings
from .urls import Urls

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 1.0
STOP_GRACE_SECONDS = 10.0


class Workers:
    def __init__(self, settings: Settings, sessionmaker: async_sessionmaker, federation: Federation) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.federation = federation
        self.urls = Urls(settings)
        handler_context = HandlerContext(settings=settings, fetcher=federation.fetcher)
        self.handle_item = item_handler(handler_context)
        self.handle_group = group_handler(handler_context, sessionmaker)
        self.generations = GenerationRunner(settings, sessionmaker, federation.fetcher)
        self.stopping = False

    async def inbox_round(self) -> int:
        return await process_due(self.handle_item, self.sessionmaker, handle_group=self.handle_group)

    async def delivery_round(self) -> int:
        return await deliver_due(self.federation.http, self.sessionmaker,
                                 allow_private=self.settings.allow_private_addresses)

    async def generation_round(self) -> int:
        return await self.generations.run_due()

    async def push_round(self) -> int:
        queued = await push_rounds.queue_round(self.sessionmaker, self.urls)
        return queued + await push_rounds.send_round(self.federation.http, self.sessionmaker, self.settings)

    async def timed_round(self) -> int:
        return await due_round(self.sessionmaker, self.settings)

    async def settle_once(self) -> int:
        """One pass over every queue; returns how many rows were worked on."""
        return (await self.inbox_round() + await self.delivery_round() + await self.generation_round()
                + await self.timed_round() + await self.push_round())

    async def _loop(self, round_fn, name: str) -> None:
        wake = self.federation.waker()
        while not self.stopping:
            # Cleared before the round, so work queued while the round runs is not slept through.
            wake.clear()
            try:
                worked = await round_fn()
            except Exception:  # noqa: BLE001 - a worker must outlive any single failure
                log.exception("%s worker round failed", name)
                worked = 0
            if worked or self.stopping:
                continue
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(wake.wait(), IDLE_POLL_SECONDS)

    async def run(self) -> None:
        try:
            await asyncio.gather(self._loop(self.inbox_round, "inbox"), self._loop(self.delivery_round, "delivery"),
                                 self._loop(self.generation_round, "generation"), self._loop(self.push_round, "push"),
                                 self._loop(self.timed_round, "timed"))
        finally:
            await self.generations.aclose()

    def committed(self, changes: Changes) -> None:
        """A commit listener: work queued by this process or another wakes the loops now,
        not at the next poll."""
        if changes.queued_work:
            self.federation.nudge()

    def stop(self) -> None:
        """Ask the loops to end after the round they are in."""
        self.stopping = True
        self.federation.nudge()


WORKERS = web.AppKey("workers", Workers)


async def workers_ctx(app: web.Application):
    """cleanup_ctx entry: build the workers and, unless disabled, run them in the background."""
    workers = Workers(app[context.SETTINGS], app[context.SESSIONMAKER], app[FEDERATION])
    app[WORKERS] = workers
    app[context.COMMITS].add(workers.committed)
    if app[context.SETTINGS].run_workers:
        # The generator loads before the node serves (a diffusers pipeline): a broken model is
        # an error at start, not at the first job.
        await workers.generations.start()
    task = asyncio.create_task(workers.run()) if app[context.SETTINGS].run_workers else None
    yield
    if task is not None:
        # A round is let finish rather than cancelled: cancelling a database call half-way leaves
        # its connection to be torn down after the engine is gone. Rows are claimed with leases,
        # so a round cut short by the timeout below is picked up again on the next start.
        workers.stop()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_GRACE_SECONDS)
        except asyncio.TimeoutError:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
    await workers.generations.aclose()  # settle() in tests keeps a generator between rounds too
