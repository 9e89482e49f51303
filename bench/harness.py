"""What the end-to-end benchmarks share: a node started the way `make run` starts it, a fresh
database, the node's CPU and peak memory, signing in over the API, and the report's numbers.

The node under test is a real `muralist serve` process (`python -m node.cli serve`, which is
what the `muralist` entry point runs) with its workers, configured only through the
MURALIST_* environment variables `make run` sets, listening on a free loopback port. The
load, and the remote servers it talks to, run in processes of their own; the benchmark's
own process only starts them, watches, and asks the API what a user would see.

CPU and peak memory are read from /proc for the serve process and every process below it
(in case the node runs workers in child processes): utime + stime from /proc/PID/stat and
VmHWM from /proc/PID/status, sampled a few times a second so that children that exit
before the end are still counted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import random
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy.engine import make_url  # noqa: E402

from storage.db import create_engine, is_sqlite  # noqa: E402

PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
READY_TIMEOUT_S = 90.0
# Request rate limits (MURALIST_RATE_LIMIT_*, per token and per peer address) would measure the
# limiter instead of the node: one token or one address makes all of a benchmark's requests.
# Off for every run; `--env MURALIST_RATE_LIMIT_API=...` puts one back. A node that does not
# know these settings ignores them.
BENCH_ENV = {"MURALIST_RATE_LIMIT_API": "unlimited", "MURALIST_RATE_LIMIT_INBOX": "unlimited"}
STOP_TIMEOUT_S = 30.0


def free_port() -> int:
    """A free port below the kernel's ephemeral range, so that no socket bound to port 0 or
    connecting out (the receivers' 1,000 ports, clients) takes it before the node listens, or
    between two starts of the node on the same port."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    for _ in range(200):
        port = random.randrange(10000, max(10001, low))
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def now() -> float:
    """CLOCK_MONOTONIC: one clock for every process on the machine, so times taken in the load
    generator, the receivers and here can be subtracted from each other."""
    return time.monotonic()


# --- the database -----------------------------------------------------------------------

class BenchDatabase:
    """A fresh database: a SQLite file in the benchmark's temporary folder, or a temporary
    database on the PostgreSQL server of `--database-url`, dropped at the end. The node's own
    `muralist migrate` creates the tables (see Node.migrate)."""

    def __init__(self, server_url: str | None, workdir: Path) -> None:
        self.server_url = server_url
        self.url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        self.name = None
        if server_url and not is_sqlite(server_url):
            self.name = f"muralist_bench_{uuid.uuid4().hex[:10]}"
            self.url = make_url(server_url).set(database=self.name).render_as_string(hide_password=False)
        elif server_url:
            self.url = server_url

    async def _admin(self, sql: str) -> None:
        import asyncpg

        url = make_url(self.server_url)
        connection = await asyncpg.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                                           user=url.username or "postgres", password=url.password,
                                           database=url.database or "postgres")
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def create(self) -> None:
        if self.name:
            await self._admin(f'CREATE DATABASE "{self.name}"')

    async def drop(self) -> None:
        if self.name:
            await self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def engine(self):
        """An engine of the benchmark's own, for seeding before the node starts and for
        read-only checks that are labelled as such."""
        return create_engine(self.url)

    @property
    def label(self) -> str:
        return "SQLite (WAL)" if is_sqlite(self.url) else "PostgreSQL"


# --- the node's processes: CPU and peak memory ---------------------------------------------

@dataclass
class ProcSample:
    pid: int
    name: str
    group: str
    cpu_s: float
    hwm_kb: int


def _read_proc(pid: int) -> tuple[int, float, int, str] | None:
    """(parent pid, CPU seconds, start time in ticks, name) of a process, None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    # fields[0] is field 3 of proc(5): ppid is 4, utime 14, stime 15, starttime 22.
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS, int(fields[19]), name


def _peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def machine_busy_s() -> float:
    """CPU seconds all CPUs of the machine have spent busy since boot (/proc/stat: all but idle
    and iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class TreeMonitor:
    """Samples a process and its descendants (group "node") every `interval` seconds in a
    thread, and, given `backend_marker`, the PostgreSQL server processes whose title holds it
    (group "database": the backends serving the node's connections to its own database).
    Keeps the last figures of every process seen, keyed by (pid, start time), so processes
    that exit are still counted and a reused pid is a new process."""

    def __init__(self, root_pid: int, backend_marker: str | None = None, interval: float = 0.25) -> None:
        self.root_pid = root_pid
        self.backend_marker = backend_marker
        self.interval = interval
        self.latest: dict[tuple[int, int], ProcSample] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="tree-monitor")

    def start(self) -> "TreeMonitor":
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        infos: dict[int, tuple[int, float, int, str]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (info := _read_proc(int(entry))) is not None:
                infos[int(entry)] = info
        children: dict[int, list[int]] = {}
        for pid, info in infos.items():
            children.setdefault(info[0], []).append(pid)
        groups, stack = {}, [self.root_pid]
        while stack:
            pid = stack.pop()
            groups[pid] = "node"
            stack.extend(children.get(pid, ()))
        if self.backend_marker:
            for pid, info in infos.items():
                if info[3] == "postgres" and pid not in groups and self.backend_marker in _cmdline(pid):
                    groups[pid] = "database"
        with self._lock:
            for pid, group in groups.items():
                if pid not in infos:
                    continue
                _ppid, cpu_s, started, name = infos[pid]
                key = (pid, started)
                previous = self.latest.get(key)
                hwm = max(_peak_rss_kb(pid), previous.hwm_kb if previous else 0)
                self.latest[key] = ProcSample(pid, name, group, cpu_s, hwm)

    def cpu_marks(self) -> dict:
        """CPU seconds of every process so far, and the machine's: pass to cpu_since() to time
        a window."""
        self.sample()
        with self._lock:
            marks = {key: sample.cpu_s for key, sample in self.latest.items()}
        marks["machine"] = machine_busy_s()
        marks["at"] = now()
        return marks

    def cpu_since(self, marks: dict, group: str = "node") -> float:
        """CPU seconds of a group ("node", "database", or "machine": every CPU of the machine,
        whoever used it) since the marks."""
        if group == "machine":
            return machine_busy_s() - marks["machine"]
        self.sample()
        with self._lock:
            return sum(sample.cpu_s - marks.get(key, 0.0) for key, sample in self.latest.items()
                       if sample.group == group)

    def peak_rss(self) -> tuple[int, int, int]:
        """(the serve process's VmHWM, the peaks of the node's processes summed, how many), in kB."""
        self.sample()
        with self._lock:
            node = [s for s in self.latest.values() if s.group == "node"]
            root = max((s.hwm_kb for s in node if s.pid == self.root_pid), default=0)
            return root, sum(s.hwm_kb for s in node), len(node)


# --- the node -----------------------------------------------------------------------------

class Node:
    """One node as `make run` starts it: `python -m node.cli serve` in the repository root with
    the Makefile's MURALIST_* variables (a free port instead of 8080, the benchmark's database
    and media folder), plus whatever `--env KEY=VALUE` adds. `muralist` subcommands (migrate,
    user create) run the same way with the same environment."""

    def __init__(self, database_url: str, workdir: Path, extra_env: dict[str, str] | None = None,
                 profile: int = 0) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.profile = profile
        self.extra_env = {**BENCH_ENV, **(extra_env or {})}
        self.settings_env = {
            "MURALIST_SCHEME": "http",
            "MURALIST_DOMAIN": f"127.0.0.1:{self.port}",
            "MURALIST_BIND": f"127.0.0.1:{self.port}",
            "MURALIST_DATABASE_URL": database_url,
            "MURALIST_MEDIA_DIR": str(workdir / "media"),
            "MURALIST_ALLOW_PRIVATE_ADDRESSES": "true",
        }
        env = {key: value for key, value in os.environ.items() if not key.startswith("MURALIST_")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        self.env = {**env, **self.settings_env, **self.extra_env}
        self.process: subprocess.Popen | None = None
        self.monitor: TreeMonitor | None = None
        self.starts = 0
        self.log_path: Path | None = None
        self.profile_path = workdir / "node.prof"
        url = make_url(database_url)
        # PostgreSQL's backends show "postgres: USER DATABASE HOST(PORT) STATE" as their title.
        self.backend_marker = None if is_sqlite(database_url) else f" {url.database} "

    def command(self) -> list[str]:
        if self.profile:
            return [PYTHON, "-m", "cProfile", "-o", str(self.profile_path), "-m", "node.cli", "serve"]
        return [PYTHON, "-m", "node.cli", "serve"]

    def describe(self) -> str:
        shown = {**self.settings_env, **self.extra_env}
        shown["MURALIST_DATABASE_URL"] = make_url(shown["MURALIST_DATABASE_URL"]).render_as_string(hide_password=True)
        variables = " ".join(f"{key}={shlex.quote(value)}" for key, value in shown.items())
        return f"{variables} {' '.join(shlex.quote(part) for part in self.command()[1:])} (cwd {REPO})"

    def cli(self, *args: str) -> str:
        """Run a `muralist` subcommand against the node's database; answers its output."""
        done = subprocess.run([PYTHON, "-m", "node.cli", *args], cwd=REPO, env=self.env,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"muralist {' '.join(args)} failed ({done.returncode}): "
                               f"{done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    def migrate(self) -> None:
        self.cli("migrate")

    def create_user(self, name: str, password: str) -> str:
        """A local user made with `muralist user create`; answers the email to sign in with."""
        email = f"{name}@bench.test"
        self.cli("user", "create", name, "--email", email, "--password", password)
        return email

    async def start(self) -> None:
        self.starts += 1
        self.log_path = self.workdir / f"node-{self.starts}.log"
        log = open(self.log_path, "w")
        self.process = subprocess.Popen(self.command(), cwd=REPO, env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT)
        log.close()
        self.monitor = TreeMonitor(self.process.pid, self.backend_marker).start()
        await self._wait_ready()

    async def _wait_ready(self) -> None:
        import aiohttp

        deadline = now() + READY_TIMEOUT_S
        async with aiohttp.ClientSession() as http:
            while now() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the node exited with status {self.process.returncode}:\n{self.log_tail()}")
                try:
                    async with http.get(f"{self.base_url}/api/v1/instance") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"the node did not answer within {READY_TIMEOUT_S:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def warnings(self) -> list[str]:
        """WARNING and ERROR lines of the node's log (the access log is INFO)."""
        if self.log_path is None or not self.log_path.exists():
            return []
        return [line for line in self.log_path.read_text(errors="replace").splitlines()
                if " WARNING " in line or " ERROR " in line or "Traceback" in line]

    async def stop(self) -> int | None:
        """SIGTERM, as a service manager stops it (aiohttp shuts down gracefully); SIGKILL if
        it has not exited within STOP_TIMEOUT_S."""
        if self.process is None:
            return None
        if self.monitor is not None:
            self.monitor.stop()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            loop = asyncio.get_running_loop()
            try:
                await loop.run_in_executor(None, self.process.wait, STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code, self.process = self.process.returncode, None
        return code

    def print_profile(self, count: int) -> None:
        if not self.profile_path.exists():
            print("no profile was written (the node did not exit cleanly)")
            return
        stats = pstats.Stats(str(self.profile_path))
        print("\nnode profile (cProfile of the serve process's main thread, wall time), own time by package:")
        by_package: dict[str, float] = {}
        for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
            package = _package_of(filename, function)
            by_package[package] = by_package.get(package, 0.0) + tottime
        total = sum(by_package.values()) or 1.0
        for package, seconds in sorted(by_package.items(), key=lambda item: -item[1])[:15]:
            print(f"    {seconds:8.2f} s  {seconds / total * 100:5.1f}%  {package}")
        stats.strip_dirs()
        print(f"\n{count} functions by own time:")
        stats.sort_stats("tottime").print_stats(count)
        print("by cumulative time:")
        stats.sort_stats("cumulative").print_stats(count)


def _package_of(filename: str, function: str) -> str:
    """Where a profiled function lives: the repository's package, a third-party package, the
    standard library, or (for built-ins) what the function is, with the event loop's wait apart."""
    if filename == "~":
        return "waiting in epoll (idle loop)" if "poll" in function and "epoll" in function else \
            "built-ins (C: greenlet switches, sockets, queues, hashing...)"
    if filename.startswith("<"):
        return "sqlalchemy" if filename.startswith("<sqlalchemy") else "standard library"
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].split(".")[0]
    try:
        return f"{path.resolve().relative_to(REPO).parts[0]}/ (this repository)"
    except ValueError:
        return "standard library"


# --- talking to the node as a client -------------------------------------------------------

async def sign_in(http, base_url: str, login: str, password: str, scopes: str = "read write follow") -> str:
    """A bearer token through the API, as a client gets one: register an app, then the
    password grant (POST /oauth/token)."""
    async with http.post(f"{base_url}/api/v1/apps", data={
            "client_name": "bench", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": scopes}) as response:
        app = await _json_or_raise(response)
    async with http.post(f"{base_url}/oauth/token", data={
            "grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"],
            "username": login, "password": password, "scope": scopes}) as response:
        return (await _json_or_raise(response))["access_token"]


async def _json_or_raise(response):
    if response.status >= 300:
        raise RuntimeError(f"{response.method} {response.url} answered {response.status}: {await response.text()}")
    return await response.json()


async def api_json(http, method: str, url: str, token: str | None = None, **kwargs):
    headers = kwargs.pop("headers", {}) | ({"Authorization": f"Bearer {token}"} if token else {})
    async with http.request(method, url, headers=headers, **kwargs) as response:
        return await _json_or_raise(response)


# --- figures --------------------------------------------------------------------------------

def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def latency_line(latencies: list[float]) -> str:
    ms = [value * 1000 for value in latencies]
    return (f"p50 {percentile(ms, 0.5):.1f} ms, p90 {percentile(ms, 0.9):.1f} ms, "
            f"p99 {percentile(ms, 0.99):.1f} ms, max {max(ms, default=float('nan')):.1f} ms")


def statuses_line(statuses: dict) -> str:
    return ", ".join(f"{key}: {value}" for key, value in sorted(statuses.items(), key=str))


def row(label: str, value: str) -> None:
    print(f"{label:<28}{value}")


def cpu_window(node: Node, marks: dict) -> dict:
    """The CPU seconds the node's processes ("node"), on PostgreSQL its database's backends
    ("database"), and the whole machine ("machine") used since `marks` (from
    node.monitor.cpu_marks()), and the seconds since ("wall")."""
    return {"node": node.monitor.cpu_since(marks, "node"),
            "database": node.monitor.cpu_since(marks, "database") if node.backend_marker else None,
            "machine": node.monitor.cpu_since(marks, "machine"), "wall": now() - marks["at"]}


def report_node(node: Node, cpu: dict, what: str, indent: str = "") -> None:
    cpu_s, database_s, machine_s, wall_s = cpu["node"], cpu["database"], cpu["machine"], cpu["wall"]
    root_kb, all_kb, processes = node.monitor.peak_rss()
    row(f"{indent}node CPU", f"{cpu_s:.2f} s in {wall_s:.2f} s {what} ({cpu_s / wall_s * 100:.0f}% of one core; "
        f"{processes} process{'es' if processes != 1 else ''})")
    if database_s is not None:
        row(f"{indent}PostgreSQL CPU", f"{database_s:.2f} s in the backends of the node's connections "
            f"({database_s / wall_s * 100:.0f}% of one core)")
    peak = f"{root_kb / 1024:.0f} MiB (serve process)"
    if processes > 1:
        peak += f", {all_kb / 1024:.0f} MiB summed over its {processes} processes"
    row(f"{indent}node peak RSS", peak)
    row(f"{indent}machine CPU busy", f"{machine_s:.2f} s of {wall_s * os.cpu_count():.2f} s ({os.cpu_count()} CPUs, "
        "every process on the machine, this benchmark's and others')")


def report_warnings(node: Node, limit: int = 5) -> None:
    lines = node.warnings()
    if lines:
        row("node log", f"{len(lines)} warning/error lines in {node.log_path.name}, first {min(limit, len(lines))}:")
        for line in lines[:limit]:
            print(f"    {line[:200]}")


# --- the common command line ----------------------------------------------------------------

def _env_pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"--env takes KEY=VALUE, not {text!r}")
    return key, value


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL URL names the server on which a temporary database is created "
                             "and dropped (default: a temporary SQLite file)")
    parser.add_argument("--env", action="append", type=_env_pair, default=[], metavar="KEY=VALUE",
                        help="an extra environment variable for the node (repeatable), e.g. a MURALIST_* "
                             "setting")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="run the node under cProfile and print its N costliest functions at the end "
                             "(the figures of such a run are slower than without it)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (database, node logs) and print where it is")


def run_benchmark(parser: argparse.ArgumentParser, run) -> None:
    """Parse the command line and run `run(args, workdir)` in a temporary folder."""
    add_common_arguments(parser)
    args = parser.parse_args()
    args.env = dict(args.env)
    workdir = Path(tempfile.mkdtemp(prefix="muralist-bench-"))
    try:
        asyncio.run(run(args, workdir))
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


def print_header(title: str, database: BenchDatabase, node: Node) -> None:
    row("benchmark", title)
    row("database", database.label)
    row("node", node.describe())
    if node.profile:
        row("", "UNDER cProfile: the figures below are slower than a plain run")
    row("machine", f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
