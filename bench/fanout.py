"""Fan-out benchmark: one local post delivered to followers on N receiving servers.

One local user is followed by one remote account on each of N simulated servers (default
1,000). Each remote account has its own inbox URL, so the post needs N signed deliveries.
The receivers are one aiohttp app in a separate process (so their CPU does not share the
sender's core) listening on a few loopback ports, one inbox path per server
(`http://127.0.0.1:PORT/s{i}/inbox`). Every delivery's HTTP signature (cavage) and digest
are verified there with the sender's public key, handed over up front.

The Create is queued the way the node queues it (`enqueue_delivery` to every follower
inbox in one transaction); then the delivery worker is driven until nothing is due.

    .venv/bin/python bench/fanout.py [--servers 1000] [--ports 8] [--new-connections]
                                     [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Prints figures; asserts nothing. Everything runs on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from activitypub.delivery.queue import enqueue_delivery, follower_inboxes  # noqa: E402
from activitypub.errors import SignatureError  # noqa: E402
from activitypub.signatures import PublicKeyInfo, verify_request  # noqa: E402
from node import context  # noqa: E402
from node.accounts import create_local_user  # noqa: E402
from node.app import create_app  # noqa: E402
from node.settings import Settings  # noqa: E402
from node.workers import WORKERS  # noqa: E402
from storage.db import create_engine, is_sqlite  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Account, Delivery, Follow  # noqa: E402
from storage.states import FollowState, QueueState  # noqa: E402
from storage.types import utcnow  # noqa: E402

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the receiving servers (child process) ---------------------------------------------

def receiver_main(ports: list[int], key: dict, new_connections: bool, conn) -> None:
    asyncio.run(_receive_forever(ports, key, new_connections, conn))


async def _receive_forever(ports: list[int], key: dict, new_connections: bool, conn) -> None:
    info = PublicKeyInfo(key["key_id"], key["owner_uri"], key["public_key_pem"])
    stats = {"verified": 0, "rejected": 0, "servers": set()}

    async def get_key(key_id: str, refresh: bool = False) -> PublicKeyInfo | None:
        return info if key_id == info.key_id else None

    async def inbox(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {"Connection": "close"} if new_connections else None
        try:
            verified = await verify_request("POST", request.path_qs, request.headers, body, get_key,
                                            scheme="http")
            if verified.owner_uri != json.loads(body)["actor"]:
                raise SignatureError("signed by someone else than the actor")
        except (SignatureError, ValueError, KeyError):
            stats["rejected"] += 1
            return web.Response(status=401, headers=headers)
        stats["verified"] += 1
        stats["servers"].add(request.match_info["server"])
        return web.Response(status=202, headers=headers)

    async def report(_request: web.Request) -> web.Response:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return web.json_response({"verified": stats["verified"], "rejected": stats["rejected"],
                                  "servers": len(stats["servers"]),
                                  "cpu_s": usage.ru_utime + usage.ru_stime})

    app = web.Application()
    app.router.add_post("/{server}/inbox", inbox)
    app.router.add_get("/_stats", report)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for port in ports:
        await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
    conn.send("ready")
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
    await runner.cleanup()


async def receiver_stats(port: int) -> dict:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/_stats") as response:
            return await response.json()


# --- the database ---------------------------------------------------------------------

class BenchDatabase:
    """A fresh, migrated database: a SQLite file in a temporary folder, or a temporary
    database on the PostgreSQL server of `--database-url`, dropped at the end."""

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
        engine = create_engine(self.url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    async def drop(self) -> None:
        if self.name:
            await self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    @property
    def label(self) -> str:
        return "SQLite (WAL)" if is_sqlite(self.url) else "PostgreSQL"


# --- the sending node -----------------------------------------------------------------

async def seed(app: web.Application, servers: int, ports: list[int]) -> Account:
    """The local author and one accepted remote follower per simulated server."""
    sessionmaker = app[context.SESSIONMAKER]
    async with sessionmaker() as session:
        _user, author = await create_local_user(session, app[context.SETTINGS], username="muralist",
                                                email="muralist@example.org", password="correct horse")
        await session.commit()
    now = utcnow()
    async with sessionmaker() as session:
        remotes = [
            Account(username=f"u{i}", domain=f"s{i}.test", actor_uri=f"http://s{i}.test/users/u{i}",
                    inbox_uri=f"http://127.0.0.1:{ports[i % len(ports)]}/s{i}/inbox",
                    public_key_id=f"http://s{i}.test/users/u{i}#main-key", fetched_at=now)
            for i in range(servers)
        ]
        session.add_all(remotes)
        await session.flush()
        session.add_all(Follow(account_id=remote.id, target_account_id=author.id, state=FollowState.ACCEPTED,
                               follow_uri=f"http://s{i}.test/follows/{i}") for i, remote in enumerate(remotes))
        await session.commit()
    return author


def create_activity(author: Account) -> dict:
    """A Create of an image post shaped like the node's own (about 2 KB on the wire)."""
    note_uri = f"{author.actor_uri}/statuses/{uuid.uuid4().int >> 65}"
    prompt = "a lighthouse at dusk painted as a mural on a harbour wall, warm light, long shadows"
    note = {
        "id": note_uri, "type": "Note", "attributedTo": author.actor_uri,
        "content": f"<p>{prompt}</p>", "published": "2026-01-02T03:04:05Z",
        "url": note_uri.replace("/users/muralist/statuses/", "/@muralist/"),
        "to": [PUBLIC], "cc": [author.followers_uri], "sensitive": False, "tag": [],
        "attachment": [{
            "type": "Image", "mediaType": "image/png", "url": f"{author.actor_uri}/media/1.png",
            "name": prompt, "summary": prompt, "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
            "width": 1024, "height": 1024, "focalPoint": [0.0, 0.0],
        }],
        "interactionPolicy": {"canQuote": {"automaticApproval": [PUBLIC], "manualApproval": []}},
        "muralist:generation": {"prompt": prompt, "style": "watercolor", "generator": "procedural", "seed": 7},
    }
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", {"muralist": "https://muralist.social/ns#"}],
        "id": f"{note_uri}/activity", "type": "Create", "actor": author.actor_uri,
        "published": note["published"], "to": note["to"], "cc": note["cc"], "object": note,
    }


async def count_states(app: web.Application) -> dict[str, int]:
    async with app[context.SESSIONMAKER]() as session:
        result = await session.execute(select(Delivery.state, func.count()).group_by(Delivery.state))
        return dict(result.all())


async def run(args: argparse.Namespace, workdir: Path) -> None:
    database = BenchDatabase(args.database_url, workdir)
    await database.create()
    node_port = free_port()
    settings = Settings(domain=f"127.0.0.1:{node_port}", scheme="http", bind=f"127.0.0.1:{node_port}",
                        database_url=database.url, media_dir=str(workdir / "media"),
                        allow_private_addresses=True, run_workers=False)
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()  # opens the database and the federation client
    receiver = None
    try:
        ports = [free_port() for _ in range(args.ports)]
        author = await seed(app, args.servers, ports)
        key = {"key_id": author.public_key_id, "owner_uri": author.actor_uri,
               "public_key_pem": author.public_key_pem}
        spawn = multiprocessing.get_context("spawn")
        parent_conn, child_conn = spawn.Pipe()
        receiver = spawn.Process(target=receiver_main, args=(ports, key, args.new_connections, child_conn),
                                 daemon=True)
        receiver.start()
        await asyncio.get_running_loop().run_in_executor(None, parent_conn.recv)  # "ready"
        await measure(app, author, args, database, ports)
    finally:
        if receiver is not None:
            parent_conn.send("stop")
            receiver.join(10)
            if receiver.is_alive():
                receiver.terminate()
        await runner.cleanup()
        await database.drop()


async def measure(app: web.Application, author: Account, args, database: BenchDatabase,
                  ports: list[int]) -> None:
    workers = app[WORKERS]
    activity = create_activity(author)
    cpu_start = time.process_time()
    start = time.perf_counter()
    async with app[context.SESSIONMAKER]() as session:
        inboxes = await follower_inboxes(session, author.id)
        queued = await enqueue_delivery(session, activity, author, inboxes)
        await session.commit()
    queued_at = time.perf_counter()
    rounds = 0
    while await workers.delivery_round():
        rounds += 1
    end = time.perf_counter()
    sender_cpu = time.process_time() - cpu_start
    states = await count_states(app)
    received = await receiver_stats(ports[0])
    delivered = states.get(QueueState.DONE, 0)
    wall = end - start
    print(f"database                {database.label}")
    print(f"servers                 {args.servers} (inboxes on {len(ports)} loopback ports, "
          f"{'a new connection per delivery' if args.new_connections else 'keep-alive'})")
    print(f"body                    {len(json.dumps(activity, ensure_ascii=False))} bytes")
    print(f"queued                  {queued} deliveries in {(queued_at - start) * 1000:.0f} ms (one transaction)")
    print(f"wall time               {wall:.2f} s (queue + {rounds} worker rounds)")
    print(f"deliveries/s            {delivered / wall:.0f} ({delivered / (end - queued_at):.0f} counting the worker alone)")
    print(f"delivered (done rows)   {delivered}")
    print(f"verified by receivers   {received['verified']} on {received['servers']} distinct servers")
    print(f"failures                {received['rejected']} rejected, "
          f"{states.get(QueueState.QUEUED, 0)} left to retry, {states.get(QueueState.FAILED, 0)} failed")
    print(f"sender CPU              {sender_cpu:.2f} s ({sender_cpu / wall * 100:.0f}% of one core)")
    print(f"receiver CPU (total)    {received['cpu_s']:.2f} s")


def run_with_database(parser: argparse.ArgumentParser, run) -> None:
    """The benchmarks' common ending: add `--database-url`, parse, and run `run(args, workdir)`
    in a temporary directory that is removed afterwards."""
    parser.add_argument("--database-url", default=None,
                        help="SQLAlchemy URL; a PostgreSQL URL names the server on which a temporary "
                             "database is created (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="muralist-bench-") as workdir:
        asyncio.run(run(args, Path(workdir)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=1000, help="receiving servers (one follower each)")
    parser.add_argument("--ports", type=int, default=8, help="loopback ports the receivers listen on")
    parser.add_argument("--new-connections", action="store_true",
                        help="receivers close every connection, so each delivery opens its own, "
                             "as it would with distinct servers")
    run_with_database(parser, run)


if __name__ == "__main__":
    main()
