"""The worker processes `muralist serve` starts beside its web server, so a node uses every
core without the user arranging anything: the web process accepts (inbox deliveries, API
calls, streams) and the workers process, deliver and generate, each on a core of its own.

Each worker is `muralist worker` with the serving process's environment and the socket they
share committed changes on (node/local_feed.py). One that exits is started again, with a
growing pause; at shutdown each is asked to finish its round (SIGTERM) and stopped after a
grace period. Queue rows are leased, so nothing a stopped worker held is lost.
"""

import asyncio
import logging
import os
import signal
import sys
from contextlib import suppress
from pathlib import Path

from aiohttp import web

log = logging.getLogger(__name__)

READY_DIR_VARIABLE = "MURALIST_READY_DIR"

STOP_GRACE_SECONDS = 15.0
READY_TIMEOUT_SECONDS = 60.0
MAX_RESTART_PAUSE = 30.0


class WorkerProcesses:
    def __init__(self, count: int, feed_socket: str) -> None:
        self.count = count
        # Each worker leaves a file named by its pid here once it runs (node/cli.py `_worker`).
        self.ready_dir = Path(feed_socket).parent / "ready"
        self.ready_dir.mkdir(exist_ok=True)
        self.environ = {**os.environ, "MURALIST_FEED_SOCKET": feed_socket, "MURALIST_WORKERS": "0",
                        READY_DIR_VARIABLE: str(self.ready_dir)}
        self.processes: dict[int, asyncio.subprocess.Process] = {}
        self._watchers: list[asyncio.Task] = []
        self._stopping = False

    def start(self) -> None:
        self._watchers = [asyncio.create_task(self._keep_running(index)) for index in range(self.count)]

    async def wait_ready(self) -> None:
        """Until every first worker runs (or has exited, or the timeout passed): `serve` says
        it serves only once the node can process what it accepts."""
        deadline = asyncio.get_running_loop().time() + READY_TIMEOUT_SECONDS
        while asyncio.get_running_loop().time() < deadline:
            running = [p for p in self.processes.values() if p.returncode is None]
            ready = {entry.name for entry in self.ready_dir.iterdir()}
            if len(self.processes) == self.count and all(str(p.pid) in ready for p in running):
                return
            await asyncio.sleep(0.05)
        log.warning("worker processes were not ready after %.0f s; serving all the same", READY_TIMEOUT_SECONDS)

    async def _keep_running(self, index: int) -> None:
        pause = 1.0
        while not self._stopping:
            process = await asyncio.create_subprocess_exec(sys.executable, "-m", "node.cli", "worker",
                                                           env=self.environ)
            self.processes[index] = process
            code = await process.wait()
            if self._stopping:
                return
            log.error("worker process %d (pid %d) exited with status %s; starting it again in %.0f s",
                      index, process.pid, code, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_RESTART_PAUSE)

    async def stop(self) -> None:
        self._stopping = True
        running = [process for process in self.processes.values() if process.returncode is None]
        for process in running:
            with suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
            except asyncio.TimeoutError:
                with suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        for watcher in self._watchers:
            watcher.cancel()
        await asyncio.gather(*self._watchers, return_exceptions=True)


def worker_processes_ctx(count: int, feed_socket: str):
    """A cleanup_ctx entry, added after the app's own (the feed's hub listens by then)."""

    async def ctx(app: web.Application):
        workers = WorkerProcesses(count, feed_socket)
        workers.start()
        await workers.wait_ready()
        yield
        await workers.stop()

    return ctx
