"""Inbox benchmark: signed Creates POSTed to a node's shared inbox, then processed.

A load generator in a separate process (so its CPU does not share the node's core) sends M
signed `Create` activities (default 2,000), each an image `Note` by one of a few remote
actors, to `POST /inbox` with about 32 requests in flight. Every request is signed before
timing starts. The actors' documents and keys are served by a small key server in the
node's process, fetched once by the node's key resolver during a short warm-up.

Prints accepted per second (202 answers over the wall time of the load), p50 and p99
request latency, and then processed per second: the time the inbox worker takes to drain
the queue the load left behind.

    .venv/bin/python bench/inbox.py [--activities 2000] [--concurrency 32] [--actors 4]
                                    [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Prints figures; asserts nothing. Everything runs on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from activitypub.keys import generate_rsa_keypair  # noqa: E402
from activitypub.signatures import sign_request  # noqa: E402
from node import context  # noqa: E402
from node.app import create_app  # noqa: E402
from node.settings import Settings  # noqa: E402
from node.workers import WORKERS  # noqa: E402
from storage.models import InboxItem  # noqa: E402
from storage.states import QueueState  # noqa: E402

# The temporary database and free ports are set up the same way as for the fan-out benchmark.
from fanout import BenchDatabase, free_port, run_with_database  # noqa: E402

AS2 = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


# --- the remote actors and their key server ---------------------------------------------

def actor_document(actor: dict) -> dict:
    uri = actor["uri"]
    base = uri.rsplit("/users/", 1)[0]
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": uri, "type": "Person", "preferredUsername": actor["username"], "name": actor["username"],
        "inbox": f"{uri}/inbox", "outbox": f"{uri}/outbox", "followers": f"{uri}/followers",
        "following": f"{uri}/following", "endpoints": {"sharedInbox": f"{base}/inbox"},
        "url": f"{base}/@{actor['username']}",
        "publicKey": {"id": actor["key_id"], "owner": uri, "publicKeyPem": actor["public_pem"]},
    }


async def start_key_server(actors: list[dict], port: int) -> tuple[web.AppRunner, Counter]:
    """Serve the actors' documents; the counter says how often each was fetched."""
    documents = {f"/users/{actor['username']}": actor_document(actor) for actor in actors}
    fetches = Counter()

    async def serve(request: web.Request) -> web.Response:
        document = documents.get(request.path)
        if document is None:
            return web.json_response({"error": "not found"}, status=404)
        fetches[request.path] += 1
        return web.json_response(document, content_type=AS2)

    app = web.Application()
    app.router.add_get("/{tail:.*}", serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, fetches


def make_actors(count: int, port: int) -> list[dict]:
    actors = []
    for index in range(count):
        private_pem, public_pem = generate_rsa_keypair()
        uri = f"http://127.0.0.1:{port}/users/a{index}"
        actors.append({"username": f"a{index}", "uri": uri, "key_id": f"{uri}#main-key",
                       "private_pem": private_pem, "public_pem": public_pem})
    return actors


# --- the load generator (child process) -------------------------------------------------

def create_activity(actor: dict, number: int) -> dict:
    """A Create of an image Note as Mastodon-like servers send it (about 1.5 KB)."""
    note_uri = f"{actor['uri']}/statuses/{number}"
    prompt = f"a harbour mural, variation {number}: gulls over a red lighthouse, evening light"
    note = {
        "id": note_uri, "type": "Note", "attributedTo": actor["uri"], "content": f"<p>{prompt}</p>",
        "published": "2026-01-02T03:04:05Z", "url": note_uri, "to": [PUBLIC],
        "cc": [f"{actor['uri']}/followers"], "sensitive": False, "tag": [],
        "attachment": [{
            "type": "Image", "mediaType": "image/png", "url": f"{actor['uri']}/media/{number}.png",
            "name": prompt, "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj", "width": 1024, "height": 1024,
        }],
    }
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{note_uri}/activity",
            "type": "Create", "actor": actor["uri"], "published": note["published"],
            "to": note["to"], "cc": note["cc"], "object": note}


def presign(inbox_url: str, actors: list[dict], first: int, count: int) -> list[tuple[bytes, dict]]:
    requests = []
    for number in range(first, first + count):
        actor = actors[number % len(actors)]
        body = json.dumps(create_activity(actor, number)).encode()
        headers = sign_request("POST", inbox_url, {"Content-Type": AS2, "Accept": AS2}, body,
                               actor["key_id"], actor["private_pem"])
        requests.append((body, headers))
    return requests


def loadgen_main(inbox_url: str, actors: list[dict], count: int, concurrency: int, conn) -> None:
    warmup = presign(inbox_url, actors, 0, len(actors))
    timed = presign(inbox_url, actors, len(actors), count)
    conn.send("signed")
    asyncio.run(_load(inbox_url, warmup, timed, concurrency, conn))


async def _send_all(http, inbox_url: str, requests: list, concurrency: int) -> tuple[Counter, list, float]:
    statuses: Counter = Counter()
    latencies: list[float] = []
    pending = iter(requests)

    async def sender() -> None:
        for body, headers in pending:
            began = time.perf_counter()
            try:
                async with http.post(inbox_url, data=body, headers=headers) as response:
                    await response.read()
                    statuses[response.status] += 1
            except Exception as exc:  # noqa: BLE001 - counted and reported, never fatal
                statuses[type(exc).__name__] += 1
            latencies.append(time.perf_counter() - began)

    start = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return statuses, latencies, time.perf_counter() - start


async def _load(inbox_url: str, warmup: list, timed: list, concurrency: int, conn) -> None:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        # One request per actor first, one at a time: the node fetches each key once here.
        await _send_all(http, inbox_url, warmup, 1)
        conn.send("warm")
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "go"
        statuses, latencies, wall = await _send_all(http, inbox_url, timed, concurrency)
    conn.send({"statuses": dict(statuses), "latencies": latencies, "wall": wall})


# --- the node ---------------------------------------------------------------------------

async def count_items(app: web.Application) -> dict[str, int]:
    async with app[context.SESSIONMAKER]() as session:
        result = await session.execute(select(InboxItem.state, func.count()).group_by(InboxItem.state))
        return dict(result.all())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def run(args: argparse.Namespace, workdir: Path) -> None:
    database = BenchDatabase(args.database_url, workdir)
    await database.create()
    node_port, key_port = free_port(), free_port()
    settings = Settings(domain=f"127.0.0.1:{node_port}", scheme="http", bind=f"127.0.0.1:{node_port}",
                        database_url=database.url, media_dir=str(workdir / "media"),
                        allow_private_addresses=True, run_workers=False)
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    key_server = generator = None
    try:
        await web.TCPSite(runner, "127.0.0.1", node_port, backlog=1024).start()
        actors = make_actors(args.actors, key_port)
        key_server, fetches = await start_key_server(actors, key_port)
        spawn = multiprocessing.get_context("spawn")
        parent_conn, child_conn = spawn.Pipe()
        generator = spawn.Process(target=loadgen_main, daemon=True, args=(
            f"{settings.base_url}/inbox", actors, args.activities, args.concurrency, child_conn))
        generator.start()
        await measure(app, args, database, parent_conn, fetches)
    finally:
        if generator is not None:
            generator.join(10)
            if generator.is_alive():
                generator.terminate()
        if key_server is not None:
            await key_server.cleanup()
        await runner.cleanup()
        await database.drop()


async def measure(app: web.Application, args, database: BenchDatabase, conn, fetches: Counter) -> None:
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, conn.recv)  # "signed"
    await loop.run_in_executor(None, conn.recv)  # "warm"
    cpu_start = time.process_time()
    conn.send("go")
    result = await loop.run_in_executor(None, conn.recv)
    node_cpu = time.process_time() - cpu_start
    queued = await count_items(app)
    start = time.perf_counter()
    while await app[WORKERS].inbox_round():
        pass
    processing = time.perf_counter() - start
    report(args, database, result, node_cpu, queued, await count_items(app), processing,
           sum(fetches.values()))


def report(args, database: BenchDatabase, result: dict, node_cpu: float, queued: dict, final: dict,
           processing: float, key_fetches: int) -> None:
    statuses, latencies, wall = result["statuses"], result["latencies"], result["wall"]
    accepted = statuses.get(202, 0)
    drained = final.get(QueueState.DONE, 0) + final.get(QueueState.FAILED, 0)
    print(f"database                {database.label}")
    print(f"activities              {args.activities} signed Creates by {args.actors} actors, "
          f"concurrency {args.concurrency}, shared inbox")
    print(f"answers                 {', '.join(f'{k}: {v}' for k, v in sorted(statuses.items(), key=str))}")
    print(f"wall time (load)        {wall:.2f} s")
    print(f"accepted/s              {accepted / wall:.0f}")
    print(f"latency p50 / p99       {percentile(latencies, 0.5) * 1000:.1f} ms / "
          f"{percentile(latencies, 0.99) * 1000:.1f} ms (mean {statistics.fmean(latencies) * 1000:.1f} ms)")
    print(f"node CPU during load    {node_cpu:.2f} s ({node_cpu / wall * 100:.0f}% of one core)")
    print(f"key fetches             {key_fetches}")
    print(f"queued after load       {queued.get('queued', 0)} items")
    print(f"processing              {drained} items in {processing:.2f} s: {drained / processing:.0f} processed/s "
          f"({final.get(QueueState.DONE, 0)} done, {final.get(QueueState.FAILED, 0)} failed)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=2000, help="signed Creates to send")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--actors", type=int, default=4, help="remote actors signing them")
    run_with_database(parser, run)


if __name__ == "__main__":
    main()
