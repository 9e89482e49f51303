"""The interop peers, bovine-herd and fediverse-pasture, run as subprocesses of a test on
loopback ports, with the Python of their own virtualenv (.venv-interop: they pin other
versions of cryptography and aiosqlite than ours).

Each peer is one of the scripts in scripts/, which prints a JSON "ready" line and then
answers JSON commands on stdin with one JSON line each on stdout; its log goes to a file
in the test's tmp_path and is quoted in every failure. Also here: polling a peer while our
node's workers run, since an external process cannot be driven to quiescence.
"""

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parents[2]
INTEROP_VENV = ROOT / ".venv-interop"
SCRIPTS = Path(__file__).resolve().parent / "scripts"
# The releases the scripts were written against (bovine-herd pins bovine to its own version).
PEER_PACKAGES = ("bovine-herd==0.5.19", "fediverse-pasture==0.2.25")
INSTALL_COMMAND = f"python3 -m venv .venv-interop && .venv-interop/bin/pip install {' '.join(PEER_PACKAGES)}"


def interop_python() -> Path:
    """The interop virtualenv's Python; the test fails (never skips) when it is missing."""
    python = INTEROP_VENV / "bin" / "python"
    if not python.exists():
        pytest.fail(f"{INTEROP_VENV} is missing; the interop tests run bovine-herd and fediverse-pasture "
                    f"from it. Create it in {ROOT} with:\n    {INSTALL_COMMAND}", pytrace=False)
    dist_infos = [package.replace("-", "_").replace("==", "-") + ".dist-info" for package in PEER_PACKAGES]
    missing = [package for package, dist_info in zip(PEER_PACKAGES, dist_infos)
               if not list(INTEROP_VENV.glob(f"lib/python*/site-packages/{dist_info}"))]
    if missing:
        pytest.fail(f"{INTEROP_VENV} lacks {', '.join(missing)}; install with:\n"
                    f"    .venv-interop/bin/pip install {' '.join(PEER_PACKAGES)}", pytrace=False)
    return python


def _peer_env() -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME") and not key.lower().endswith("_proxy")}
    # Belt and braces: the peers talk only to 127.0.0.1, never through a proxy.
    env.update(PYTHONUNBUFFERED="1", NO_PROXY="*", no_proxy="*")
    return env


class PeerProcess:
    """One script run by the interop Python, spoken to in JSON lines."""

    def __init__(self, name: str, workdir: Path) -> None:
        self.name = name
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, script: str, *args: str, timeout: float = 30) -> dict:
        """Start the script and return its ready line."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            # cwd is the scratch directory: bovine and pasture keep files in the working directory.
            self.process = await asyncio.create_subprocess_exec(
                str(interop_python()), str(SCRIPTS / script), *args, cwd=self.workdir, env=_peer_env(),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log)
        ready = await self.read(timeout)
        if not ready.get("ready"):
            raise AssertionError(f"{self.name} did not start: {ready}\n{self.log_tail()}")
        return ready

    async def read(self, timeout: float) -> dict:
        try:
            line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        except TimeoutError:
            raise AssertionError(f"{self.name} gave no answer within {timeout} s\n{self.log_tail()}") from None
        if not line:
            code = await asyncio.wait_for(self.process.wait(), 5)
            raise AssertionError(f"{self.name} exited with status {code}\n{self.log_tail()}")
        return json.loads(line)

    async def call(self, op: str, *, timeout: float = 30, **arguments) -> dict:
        """Send one command and return its answer; a refused command fails the test."""
        self.process.stdin.write(json.dumps({"op": op, **arguments}).encode() + b"\n")
        await self.process.stdin.drain()
        answer = await self.read(timeout)
        if not answer.get("ok"):
            raise AssertionError(f"{self.name} could not {op}: {answer.get('error')}\n{self.log_tail()}")
        return answer

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return f"(no log at {self.log_path})"
        return f"--- last lines of {self.log_path} ---\n" + "\n".join(text[-lines:])

    async def stop(self) -> None:
        """Close stdin (the scripts exit at its end), then terminate, then kill."""
        process = self.process
        if process is None or process.returncode is not None:
            return
        if process.stdin is not None and not process.stdin.is_closing():
            process.stdin.close()
        for ending in (None, process.terminate, process.kill):
            if ending is not None:
                ending()
            try:
                await asyncio.wait_for(process.wait(), 5)
                return
            except TimeoutError:
                continue


async def poll(check: Callable[[], Awaitable], *, what: str, settle: Callable[[], Awaitable] | None = None,
               rounds: int = 100, pause: float = 0.1, diagnose: Callable[[], Awaitable[str]] | None = None):
    """Run our workers (settle) and `check` in turn until `check` returns a truthy value.

    A peer works in its own process and time, so between rounds there is a short sleep; the
    number of rounds is bounded, and the failure says what was awaited and, via `diagnose`,
    what our queues recorded.
    """
    for _ in range(rounds):
        if settle is not None:
            await settle()
        result = await check()
        if result:
            return result
        await asyncio.sleep(pause)
    details = await diagnose() if diagnose is not None else ""
    raise AssertionError(f"gave up waiting for {what} after {rounds} rounds\n{details}")


async def wait_listening(url: str, peer: PeerProcess, *, timeout: float = 20) -> None:
    """Wait until `url` answers at all (any status), or fail with the peer's log."""
    async with aiohttp.ClientSession() as session:
        for _ in range(int(timeout / 0.05)):
            if peer.process.returncode is not None:
                break
            try:
                async with session.get(url) as response:
                    await response.read()
                    return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    raise AssertionError(f"{peer.name} is not listening at {url}\n{peer.log_tail()}")


def free_port() -> int:
    from tests.nodes import free_port as pick

    return pick()


class BovinePeer:
    """bovine-herd with one user (`actor_uri`), and that user's client-to-server console."""

    def __init__(self, workdir: Path) -> None:
        self.server = PeerProcess("bovine-herd", workdir)
        self.user = PeerProcess("bovine-user", workdir)
        self.base_url = self.actor_uri = ""

    async def start(self) -> "BovinePeer":
        port = free_port()
        ready = await self.server.start("bovine_server.py", "--port", str(port),
                                        "--db", str(self.server.workdir / "bovine.sqlite3"))
        self.base_url, self.actor_uri = ready["base_url"], ready["actor_id"]
        # bovine announces its user before hypercorn listens; the client needs it listening.
        await wait_listening(f"{self.base_url}/.well-known/nodeinfo", self.server)
        await self.user.start("bovine_user.py", "--domain", self.base_url, "--secret", ready["secret"])
        return self

    async def collection(self, name: str) -> list:
        return (await self.user.call("collection", name=name))["items"]

    async def stop(self) -> None:
        await self.user.stop()
        await self.server.stop()


class PasturePeer:
    """fediverse-pasture's verify_actor service and its test actors."""

    def __init__(self, workdir: Path) -> None:
        self.process = PeerProcess("pasture-verify-actor", workdir)
        self.base_url = ""
        self.actors: dict[str, dict] = {}

    async def start(self) -> "PasturePeer":
        ready = await self.process.start("pasture_verify.py", "--port", str(free_port()))
        self.base_url, self.actors = ready["base_url"], ready["actors"]
        return self

    async def verify_actor(self, actor_uri: str) -> dict:
        """verify_actor's verdict per test actor, {"alice": {"get_actor", "post_inbox"}, ...,
        "webfinger": bool}, and its message log."""
        answer = await self.process.call("verify", actor_uri=actor_uri, timeout=60)
        return {"result": answer["result"], "messages": answer["messages"]}

    async def stop(self) -> None:
        await self.process.stop()
