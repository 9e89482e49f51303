"""The processes `muralist serve` starts beside itself, so a node uses every core without the
user arranging anything:

- worker processes (`muralist worker`): inbox processing, deliveries and generation;
- more web servers: each listens on the same address with a socket of its own (SO_REUSEPORT),
  and the kernel shares new connections out evenly, so reading timelines and accepting
  deliveries is not bound to one core.

All of them run with the serving process's environment and share committed changes with it
over a socket (node/local_feed.py; NOTIFY on PostgreSQL). One that exits is started again,
with a growing pause; at shutdown each is asked to finish (SIGTERM) and stopped after a grace
period; each stops by itself if the serving process dies. Queue rows are leased, so nothing a
stopped process held is lost. `serve` says it serves once all of them run.
"""

import asyncio
import ctypes
import logging
import os
import signal
import sys
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

log = logging.getLogger(__name__)

READY_DIR_VARIABLE = "MURALIST_READY_DIR"
BESIDE_VARIABLE = "MURALIST_SERVE_BESIDE"
STOP_GRACE_SECONDS = 15.0
READY_TIMEOUT_SECONDS = 60.0
MAX_RESTART_PAUSE = 30.0
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Child:
    name: str
    command: tuple[str, ...]
    environ: tuple[tuple[str, str], ...] = ()


def children_for(workers: int, web_servers: int) -> list[Child]:
    return ([Child(f"worker {n + 1}", ("worker",)) for n in range(workers)]
            + [Child(f"web server {n + 2}", ("serve",), ((BESIDE_VARIABLE, "1"),)) for n in range(web_servers)])


class ChildProcesses:
    def __init__(self, children: list[Child], feed_socket: str) -> None:
        self.children = children
        # Each child leaves a file named by its pid here once it runs (`announce_ready`).
        self.ready_dir = Path(feed_socket).parent / "ready"
        self.ready_dir.mkdir(exist_ok=True)
        self.environ = {**os.environ, "MURALIST_FEED_SOCKET": feed_socket, "MURALIST_WORKERS": "0",
                        "MURALIST_WEB_PROCESSES": "1", READY_DIR_VARIABLE: str(self.ready_dir)}
        self.processes: dict[int, asyncio.subprocess.Process] = {}
        self._watchers: list[asyncio.Task] = []
        self._stopping = False

    def start(self) -> None:
        self._watchers = [asyncio.create_task(self._keep_running(index)) for index in range(len(self.children))]

    async def wait_ready(self) -> None:
        """Until every first child runs (or has exited, or the timeout passed)."""
        deadline = asyncio.get_running_loop().time() + READY_TIMEOUT_SECONDS
        while asyncio.get_running_loop().time() < deadline:
            running = [p for p in self.processes.values() if p.returncode is None]
            ready = {entry.name for entry in self.ready_dir.iterdir()}
            if len(self.processes) == len(self.children) and all(str(p.pid) in ready for p in running):
                return
            await asyncio.sleep(0.05)
        log.warning("the node's processes were not ready after %.0f s; serving all the same", READY_TIMEOUT_SECONDS)

    async def _keep_running(self, index: int) -> None:
        child, pause = self.children[index], 1.0
        environ = {**self.environ, **dict(child.environ)}
        while not self._stopping:
            process = await asyncio.create_subprocess_exec(sys.executable, "-m", "node.cli", *child.command,
                                                           env=environ)
            self.processes[index] = process
            code = await process.wait()
            if self._stopping:
                return
            log.error("%s (pid %d) exited with status %s; starting it again in %.0f s",
                      child.name, process.pid, code, pause)
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


def child_processes_ctx(children: list[Child], feed_socket: str):
    """A cleanup_ctx entry, added after the app's own (the feed's hub listens by then)."""

    async def ctx(app: web.Application):
        processes = ChildProcesses(children, feed_socket)
        processes.start()
        await processes.wait_ready()
        yield
        await processes.stop()

    return ctx


# --- in the child ---------------------------------------------------------------------

def started_by_serve() -> bool:
    return READY_DIR_VARIABLE in os.environ


def die_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when the serving process dies, however it dies
    (a worker on SQLite also notices the feed closing; on PostgreSQL this is the only sign)."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def announce_ready() -> None:
    ready_dir = os.environ.get(READY_DIR_VARIABLE)
    if ready_dir:
        (Path(ready_dir) / str(os.getpid())).touch()


def serving_beside() -> bool:
    """Whether this `serve` is one more web server of a node another `serve` runs."""
    return os.environ.get(BESIDE_VARIABLE) == "1"
