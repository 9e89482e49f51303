"""Fan-out benchmark: one image post, made through the client API of a running node, delivered
to its followers on N servers; and the plainest signed asyncio sender against the same servers.

The receiving servers run in `--receivers` processes of their own (so their CPU is not the
node's); each of the N servers (default 1,000) is one listening socket on its own loopback port,
with one follower of the author, so every delivery is signed on its own and needs a
connection of its own, as with distinct servers. Before the post each server process fetches the
author's actor document from the node once (the key a real server would have cached when its
user followed), and then verifies every delivery's HTTP signature (cavage) and digest with it.

1. `muralist migrate` and `muralist user create muralist` make a fresh database; the N remote
   followers (accounts and accepted follows) are inserted directly, then the node starts as
   `make run` starts it (harness.Node).
2. The author signs in (password grant), uploads a PNG (`POST /api/v2/media`) and posts it
   (`POST /api/v1/statuses`). Timing runs from that request: the node commits the post,
   answers, and its delivery worker signs and sends N deliveries.
3. Then the plainest signed sender, in a process of its own: one aiohttp session, every
   delivery signed (the same body the node sent, the author's key) and POSTed, 64 in flight,
   like the node's worker.

Prints, for the node: the first verified delivery after the request and after the answer
(the post is committed before the answer), the last, deliveries/s from the answer to the last
verified delivery, the node's CPU and peak RSS; the same for the plain sender, and the ratio.

    .venv/bin/python bench/fanout.py [--servers 1000] [--receivers 4] [--concurrency 64]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test] [--env KEY=VALUE]
        [--profile N] [--keep]

Prints figures; asserts nothing. Everything runs on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import multiprocessing
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402  (harness puts the repository on sys.path)
    BenchDatabase, Node, api_json, cpu_window, now, print_header, report_node, report_warnings, row,
    run_benchmark, sign_in, statuses_line,
)

from aiohttp import web  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from activitypub.errors import SignatureError  # noqa: E402
from activitypub.signatures import PublicKeyInfo, sign_request, verify_request  # noqa: E402
from storage.models import Account, Delivery, Follow  # noqa: E402
from storage.snowflake import new_id  # noqa: E402
from storage.states import FollowState, QueueState  # noqa: E402
from storage.types import utcnow  # noqa: E402

AS2 = "application/activity+json"
PASSWORD = "a long bench password"


# --- the receiving servers (child processes) --------------------------------------------------

def receiver_main(count: int, conn) -> None:
    asyncio.run(_receive(count, conn))


async def _receive(count: int, conn) -> None:
    """`count` servers, each a listening socket on a port of its own with one inbox, `/s{i}/inbox`."""
    import aiohttp
    import resource

    loop = asyncio.get_running_loop()
    keys: dict[str, PublicKeyInfo] = {}
    phase = {"verified": 0, "rejected": 0, "servers": set(), "first": None, "last": None, "body": None}

    async def get_key(key_id: str, refresh: bool = False) -> PublicKeyInfo | None:
        return keys.get(key_id)

    async def inbox(request: web.Request) -> web.Response:
        body = await request.read()
        try:
            verified = await verify_request("POST", request.path_qs, request.headers, body, get_key, scheme="http")
            if verified.owner_uri != json.loads(body)["actor"]:
                raise SignatureError("signed by someone else than the actor")
        except (SignatureError, ValueError, KeyError):
            phase["rejected"] += 1
            return web.Response(status=401)
        at = now()
        phase["verified"] += 1
        phase["servers"].add(request.match_info["server"])
        phase["first"] = phase["first"] or at
        phase["last"] = at
        phase["body"] = phase["body"] or body
        return web.Response(status=202)

    app = web.Application()
    app.router.add_post("/{server}/inbox", inbox)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    ports = []
    for _ in range(count):
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        ports.append(site._server.sockets[0].getsockname()[1])
    conn.send(ports)
    while True:
        command, argument = await loop.run_in_executor(None, conn.recv)
        if command == "fetch key":
            # As a server does when one of its users follows the author: fetch the actor, keep the key.
            async with aiohttp.ClientSession() as http:
                async with http.get(argument, headers={"Accept": AS2}) as response:
                    actor = await response.json(content_type=None)
            key = actor["publicKey"]
            keys[key["id"]] = PublicKeyInfo(key["id"], key["owner"], key["publicKeyPem"])
            conn.send("keyed")
        elif command == "stats":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            conn.send({**phase, "servers": len(phase["servers"]), "cpu_s": usage.ru_utime + usage.ru_stime})
        elif command == "reset":
            phase.update(verified=0, rejected=0, servers=set(), first=None, last=None, body=None)
            conn.send("reset")
        else:
            break
    await runner.cleanup()


class Receivers:
    """The receiving servers' processes and what they saw."""

    def __init__(self, servers: int, processes: int) -> None:
        spawn = multiprocessing.get_context("spawn")
        self.conns, self.processes = [], []
        for index in range(processes):
            count = servers // processes + (1 if index < servers % processes else 0)
            parent, child = spawn.Pipe()
            process = spawn.Process(target=receiver_main, args=(count, child), daemon=True)
            process.start()
            child.close()  # the parent's copy: if the process dies, recv() ends with EOFError
            self.conns.append(parent)
            self.processes.append(process)
        self.ports = [port for conn in self.conns for port in conn.recv()]

    def inboxes(self) -> list[str]:
        return [f"http://127.0.0.1:{port}/s{index}/inbox" for index, port in enumerate(self.ports)]

    def _ask(self, command: str, argument=None) -> list:
        for conn in self.conns:
            conn.send((command, argument))
        return [conn.recv() for conn in self.conns]

    async def ask(self, command: str, argument=None) -> list:
        return await asyncio.get_running_loop().run_in_executor(None, self._ask, command, argument)

    async def totals(self) -> dict:
        answers = await self.ask("stats")
        firsts = [a["first"] for a in answers if a["first"] is not None]
        lasts = [a["last"] for a in answers if a["last"] is not None]
        return {"verified": sum(a["verified"] for a in answers), "rejected": sum(a["rejected"] for a in answers),
                "servers": sum(a["servers"] for a in answers), "first": min(firsts, default=None),
                "last": max(lasts, default=None), "cpu_s": sum(a["cpu_s"] for a in answers),
                "body": next((a["body"] for a in answers if a["body"]), None)}

    async def wait_for(self, expected: int, timeout: float) -> dict:
        deadline = now() + timeout
        while True:
            totals = await self.totals()
            if totals["verified"] + totals["rejected"] >= expected or now() > deadline:
                return totals
            await asyncio.sleep(0.05)

    def stop(self) -> None:
        for conn, process in zip(self.conns, self.processes):
            try:
                conn.send(("stop", None))
            except OSError:
                pass
            process.join(10)
            if process.is_alive():
                process.terminate()


# --- the plainest signed sender (child process) ------------------------------------------------

def plain_sender_main(inboxes: list[str], body: bytes, key_id: str, private_pem: str, concurrency: int,
                      conn) -> None:
    asyncio.run(_plain_send(inboxes, body, key_id, private_pem, concurrency, conn))


async def _plain_send(inboxes: list[str], body: bytes, key_id: str, private_pem: str, concurrency: int,
                      conn) -> None:
    import aiohttp
    import resource
    from collections import Counter

    statuses: Counter = Counter()
    async with aiohttp.ClientSession() as http:
        gate = asyncio.Semaphore(concurrency)

        async def deliver(inbox: str) -> None:
            async with gate:
                headers = sign_request("POST", inbox, {"Content-Type": AS2, "Accept": AS2}, body, key_id, private_pem)
                try:
                    async with http.post(inbox, data=body, headers=headers) as response:
                        await response.read()
                        statuses[response.status] += 1
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    statuses[type(exc).__name__] += 1

        conn.send("ready")
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "go"
        start = now()
        await asyncio.gather(*(deliver(inbox) for inbox in inboxes))
        end = now()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    conn.send({"start": start, "end": end, "statuses": dict(statuses), "cpu_s": usage.ru_utime + usage.ru_stime})


async def run_plain_sender(inboxes: list[str], body: bytes, author: dict, concurrency: int) -> dict:
    spawn = multiprocessing.get_context("spawn")
    parent, child = spawn.Pipe()
    process = spawn.Process(target=plain_sender_main, daemon=True, args=(
        inboxes, body, author["public_key_id"], author["private_key_pem"], concurrency, child))
    process.start()
    child.close()
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(None, parent.recv)  # "ready"
        parent.send("go")
        return await loop.run_in_executor(None, parent.recv)
    finally:
        process.join(10)
        if process.is_alive():
            process.terminate()


# --- seeding and the post ---------------------------------------------------------------------

async def seed_followers(database: BenchDatabase, username: str, inboxes: list[str]) -> dict:
    """One accepted remote follower of the author per server, inserted directly (as the inbox
    stores an accepted Follow); answers the author's account row as a dict."""
    engine = database.engine()
    try:
        async with engine.begin() as connection:
            author = (await connection.execute(select(Account.__table__).where(
                Account.username == username, Account.domain.is_(None)))).mappings().one()
            stamp = utcnow()
            accounts = [{"id": new_id(), "username": f"u{i}", "domain": f"s{i}.test",
                         "actor_uri": f"http://s{i}.test/users/u{i}", "inbox_uri": inbox,
                         "shared_inbox_uri": inbox, "followers_uri": f"http://s{i}.test/users/u{i}/followers",
                         "public_key_id": f"http://s{i}.test/users/u{i}#main-key", "fetched_at": stamp}
                        for i, inbox in enumerate(inboxes)]
            await connection.execute(insert(Account.__table__), accounts)
            await connection.execute(insert(Follow.__table__), [
                {"id": new_id(), "account_id": account["id"], "target_account_id": author["id"],
                 "follow_uri": f"http://s{i}.test/follows/{i}", "state": FollowState.ACCEPTED}
                for i, account in enumerate(accounts)])
        return dict(author)
    finally:
        await engine.dispose()


async def delivery_states(database: BenchDatabase, timeout: float = 15.0) -> tuple[dict, float]:
    """Delivery rows by state, read from the database directly (read-only), asked again until
    none is queued (the worker settles a batch after its last answer) or `timeout`; answers
    them and when they were read."""
    engine = database.engine()
    deadline = now() + timeout
    try:
        while True:
            async with engine.connect() as connection:
                rows = await connection.execute(select(Delivery.state, func.count()).group_by(Delivery.state))
                states = {str(state): count for state, count in rows.all()}
            if not states.get(QueueState.QUEUED) or now() > deadline:
                return states, now()
            await asyncio.sleep(0.02)
    finally:
        await engine.dispose()


def png_image() -> bytes:
    """A 1024x1024 PNG that looks generated (colour fields and a few shapes)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1024, 1024))
    draw = ImageDraw.Draw(image)
    for y in range(0, 1024, 8):
        draw.rectangle((0, y, 1024, y + 8), fill=(40 + y // 8, 90, 200 - y // 8))
    for index in range(12):
        draw.ellipse((60 * index, 40 * index, 60 * index + 220, 40 * index + 220), fill=(230, 120 + index * 9, 60))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def upload_image(http, base_url: str, token: str) -> str:
    """POST /api/v2/media with a PNG; answers the media id."""
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("file", png_image(), filename="mural.png", content_type="image/png")
    form.add_field("description", "a lighthouse at dusk painted on a harbour wall")
    return (await api_json(http, "POST", f"{base_url}/api/v2/media", token, data=form))["id"]


async def post_image(http, base_url: str, token: str, media_id: str) -> tuple[float, float, dict]:
    """Post the image; answers when the post was requested and answered, and the status."""
    body = {"status": "A lighthouse at dusk, painted as a mural on the harbour wall #murals",
            "media_ids": [media_id], "visibility": "public"}
    requested = now()
    status = await api_json(http, "POST", f"{base_url}/api/v1/statuses", token, json=body)
    return requested, now(), status


# --- the run -------------------------------------------------------------------------------------

async def run(args: argparse.Namespace, workdir: Path) -> None:
    import aiohttp

    database = BenchDatabase(args.database_url, workdir)
    await database.create()
    node = Node(database.url, workdir, args.env, args.profile)
    receivers = None
    try:
        receivers = await asyncio.get_running_loop().run_in_executor(
            None, Receivers, args.servers, args.receivers)
        node.migrate()
        email = node.create_user("muralist", PASSWORD)
        author = await seed_followers(database, "muralist", receivers.inboxes())
        await node.start()
        print_header("fan-out: one image post to followers on N servers, and the plainest signed sender",
                     database, node)
        await receivers.ask("fetch key", author["actor_uri"])
        async with aiohttp.ClientSession() as http:
            token = await sign_in(http, node.base_url, email, PASSWORD)
            media_id = await upload_image(http, node.base_url, token)
            marks = node.monitor.cpu_marks()
            requested, answered, status = await post_image(http, node.base_url, token, media_id)
            node_seen = await receivers.wait_for(args.servers, args.timeout)
            node_cpu = cpu_window(node, marks)
        states = await delivery_states(database)
        await receivers.ask("reset")
        plain = await run_plain_sender(receivers.inboxes(), node_seen["body"] or b"{}", author, args.concurrency)
        plain_seen = await receivers.wait_for(args.servers, args.timeout)
        report(args, requested, answered, status, node_seen, node_cpu, states, plain, plain_seen, node)
    finally:
        if receivers is not None:
            receivers.stop()
        await node.stop()
        report_warnings(node)
        if args.profile:
            node.print_profile(args.profile)
        await database.drop()


def report(args, requested: float, answered: float, status: dict, node_seen: dict, node_cpu: tuple,
           states: tuple[dict, float], plain: dict, plain_seen: dict, node: Node) -> None:
    body = node_seen["body"] or b""
    row("workload", f"one public post with {len(status.get('media_attachments', []))} image to followers on "
        f"{args.servers} servers ({args.receivers} receiver processes, a socket and port per server, "
        "every signature verified)")
    row("Create as delivered", f"{len(body)} bytes")
    row("POST /api/v1/statuses", f"answered in {(answered - requested) * 1000:.0f} ms")
    node_rate = plain_rate = None
    if node_seen["first"] is not None:
        row("node: first delivery", f"{(node_seen['first'] - answered) * 1000:.0f} ms after the answer "
            f"({(node_seen['first'] - requested) * 1000:.0f} ms after the request; the post is committed "
            "in between)")
        span = node_seen["last"] - answered
        node_rate = node_seen["verified"] / span
        row("node: last delivery", f"{span:.2f} s after the answer")
        row("node: deliveries/s", f"{node_rate:.0f} (verified deliveries from the answer to the last; "
            f"{node_seen['verified'] / (node_seen['last'] - requested):.0f} counted from the request)")
    row("node: verified", f"{node_seen['verified']} on {node_seen['servers']} servers, "
        f"{node_seen['rejected']} rejected")
    states, read_at = states
    settled = f", {(read_at - node_seen['last']) * 1000:.0f} ms after the last delivery" if node_seen["last"] else ""
    row("node: delivery rows", f"{statuses_line(states)} (read from the database{settled})")
    report_node(node, node_cpu, "from the request until every delivery was counted")
    if plain_seen["last"] is not None:
        span = plain_seen["last"] - plain["start"]
        plain_rate = plain_seen["verified"] / span
        row("plain sender: first", f"{(plain_seen['first'] - plain['start']) * 1000:.0f} ms after its start")
        row("plain sender: last", f"{span:.2f} s after its start")
        row("plain sender: deliveries/s", f"{plain_rate:.0f} ({args.concurrency} in flight, answers "
            f"{statuses_line(plain['statuses'])}, CPU {plain['cpu_s']:.2f} s)")
    row("plain sender: verified", f"{plain_seen['verified']} on {plain_seen['servers']} servers, "
        f"{plain_seen['rejected']} rejected")
    if node_rate and plain_rate:
        row("ratio node / plain sender", f"{node_rate / plain_rate:.2f}")
    row("receivers' CPU (all)", f"{plain_seen['cpu_s']:.2f} s over both runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=1000, help="receiving servers (one follower each)")
    parser.add_argument("--receivers", type=int, default=4, help="processes the servers are spread over")
    parser.add_argument("--concurrency", type=int, default=64, help="the plain sender's deliveries in flight")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for every delivery")
    run_benchmark(parser, run)


if __name__ == "__main__":
    main()
