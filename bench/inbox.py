"""Inbox benchmark: signed Creates from a remote actor to a running node's shared inbox,
accepted and then processed until a follower sees them all in the client API.

Four processes: the node, started as `make run` starts it (`muralist serve` with its workers,
see harness.Node); the remote server of the actors (their documents and keys, and an inbox
that answers the reader's Follow with a signed Accept); the load generator; and this one,
which only sets up, watches and asks the API.

1. `muralist migrate` and `muralist user create reader` make a fresh database; the node starts.
2. The reader signs in (password grant), looks the remote actor up by its URL
   (`/api/v2/search?resolve=true`) and follows it; the remote server accepts over HTTP.
3. The load generator signs every request before timing starts, sends one Create per actor as
   a warm-up (the node fetches the actor's key here), then on "go" sends `--activities`
   distinct Creates of image Notes to `POST /inbox`, `--concurrency` in flight, while the
   node's workers process what was accepted.
4. From "go" this process asks `GET /api/v1/accounts/:id` every `--poll` seconds for the actor's
   `statuses_count` (the posts the node has stored), until all are there; then the reader
   pages through `GET /api/v1/timelines/home` to check each of them is visible.

Prints accepted/s (202 answers over the load's wall time) and request latency percentiles;
processed/s end to end (activities over the time from the first request until the last post
is visible through the API), how many were visible when the load ended and the rate of the
rest; the node's CPU over that time and its peak RSS.

    .venv/bin/python bench/inbox.py [--activities 2000] [--concurrency 32] [--actors 1]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test] [--env KEY=VALUE]
        [--profile N] [--keep]

Prints figures; asserts nothing. Everything runs on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402  (harness puts the repository on sys.path)
    BenchDatabase, Node, api_json, cpu_window, free_port, latency_line, now, print_header, report_node,
    report_warnings, row, run_benchmark, sign_in, statuses_line,
)

from aiohttp import web  # noqa: E402

from activitypub.keys import generate_rsa_keypair  # noqa: E402
from activitypub.signatures import sign_request  # noqa: E402

AS2 = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PASSWORD = "a long bench password"


# --- the remote actors' server (child process) ---------------------------------------------

def make_actors(count: int, port: int) -> list[dict]:
    actors = []
    for index in range(count):
        private_pem, public_pem = generate_rsa_keypair()
        uri = f"http://127.0.0.1:{port}/users/a{index}"
        actors.append({"username": f"a{index}", "uri": uri, "key_id": f"{uri}#main-key",
                       "private_pem": private_pem, "public_pem": public_pem})
    return actors


def actor_document(actor: dict) -> dict:
    uri = actor["uri"]
    base = uri.rsplit("/users/", 1)[0]
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": uri, "type": "Person", "preferredUsername": actor["username"], "name": actor["username"],
        "inbox": f"{uri}/inbox", "outbox": f"{uri}/outbox", "followers": f"{uri}/followers",
        "following": f"{uri}/following", "endpoints": {"sharedInbox": f"{base}/inbox"},
        "url": f"{base}/@{actor['username']}", "manuallyApprovesFollowers": False,
        "publicKey": {"id": actor["key_id"], "owner": uri, "publicKeyPem": actor["public_pem"]},
    }


def remote_main(actors: list[dict], port: int, node_inbox: str, conn) -> None:
    asyncio.run(_remote(actors, port, node_inbox, conn))


async def _remote(actors: list[dict], port: int, node_inbox: str, conn) -> None:
    import aiohttp

    by_uri = {actor["uri"]: actor for actor in actors}
    documents = {f"/users/{actor['username']}": actor_document(actor) for actor in actors}
    stats: Counter = Counter()
    tasks: set[asyncio.Task] = set()
    http = aiohttp.ClientSession()

    async def serve_document(request: web.Request) -> web.Response:
        document = documents.get(request.path)
        stats["GET " + ("actor" if document else "other")] += 1
        if document is None:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response(document, content_type=AS2)

    async def accept(follow: dict) -> None:
        actor = by_uri[follow["object"]]
        body = json.dumps({"@context": "https://www.w3.org/ns/activitystreams",
                           "id": f"{actor['uri']}#accepts/{uuid.uuid4().hex}", "type": "Accept",
                           "actor": actor["uri"], "object": follow}).encode()
        headers = sign_request("POST", node_inbox, {"Content-Type": AS2}, body, actor["key_id"], actor["private_pem"])
        async with http.post(node_inbox, data=body, headers=headers) as response:
            stats[f"Accept sent: {response.status}"] += 1

    async def inbox(request: web.Request) -> web.Response:
        activity = json.loads(await request.read())
        stats[f"received {activity.get('type')}"] += 1
        if activity.get("type") == "Follow" and activity.get("object") in by_uri:
            task = asyncio.create_task(accept(activity))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        return web.Response(status=202)

    async def report(_request: web.Request) -> web.Response:
        return web.json_response(dict(stats))

    app = web.Application()
    app.router.add_get("/_stats", report)
    app.router.add_post("/inbox", inbox)
    app.router.add_post("/users/{name}/inbox", inbox)
    app.router.add_get("/{tail:.*}", serve_document)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    conn.send("ready")
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
    await http.close()
    await runner.cleanup()


# --- the load generator (child process) -----------------------------------------------------

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
    asyncio.run(_load(inbox_url, warmup, timed, concurrency, conn))


async def _send_all(http, inbox_url: str, requests: list, concurrency: int) -> tuple[Counter, list]:
    statuses: Counter = Counter()
    latencies: list[float] = []
    pending = iter(requests)

    async def sender() -> None:
        for body, headers in pending:
            began = now()
            try:
                async with http.post(inbox_url, data=body, headers=headers) as response:
                    await response.read()
                    statuses[response.status] += 1
            except Exception as exc:  # noqa: BLE001 - counted and reported, never fatal
                statuses[type(exc).__name__] += 1
            latencies.append(now() - began)

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return statuses, latencies


async def _load(inbox_url: str, warmup: list, timed: list, concurrency: int, conn) -> None:
    import aiohttp
    import resource

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        # One request per actor first, one at a time: the node fetches each key here.
        statuses, _ = await _send_all(http, inbox_url, warmup, 1)
        conn.send({"warmup": dict(statuses)})
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "go"
        start = now()
        statuses, latencies = await _send_all(http, inbox_url, timed, concurrency)
        end = now()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    conn.send({"statuses": dict(statuses), "latencies": latencies, "start": start, "end": end,
               "cpu_s": usage.ru_utime + usage.ru_stime})


# --- this process: setting up, watching, asking the API -------------------------------------

async def follow_remote(http, base_url: str, token: str, actor_uri: str) -> str:
    """The reader follows the remote actor as a client does; answers the actor's account id once
    the remote server's Accept has been processed."""
    found = await api_json(http, "GET", f"{base_url}/api/v2/search", token,
                           params={"q": actor_uri, "resolve": "true", "type": "accounts"})
    if not found["accounts"]:
        raise RuntimeError(f"the node could not resolve {actor_uri}")
    account_id = found["accounts"][0]["id"]
    await api_json(http, "POST", f"{base_url}/api/v1/accounts/{account_id}/follow", token)
    deadline = now() + 30
    while now() < deadline:
        relationship = (await api_json(http, "GET", f"{base_url}/api/v1/accounts/relationships", token,
                                       params={"id[]": account_id}))[0]
        if relationship["following"]:
            return account_id
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the follow of {actor_uri} was not accepted within 30 s")


async def stored_count(http, base_url: str, token: str, account_ids: list[str]) -> int:
    total = 0
    for account_id in account_ids:
        account = await api_json(http, "GET", f"{base_url}/api/v1/accounts/{account_id}", token)
        total += account["statuses_count"]
    return total


async def watch(http, base_url: str, token: str, account_ids: list[str], expected: int, interval: float,
                timeout: float) -> list[tuple[float, int]]:
    """(time, posts stored) every `interval` until `expected` or `timeout`."""
    trace = []
    deadline = now() + timeout
    while now() < deadline:
        count = await stored_count(http, base_url, token, account_ids)
        trace.append((now(), count))
        if count >= expected:
            break
        await asyncio.sleep(interval)
    return trace


async def home_timeline_count(http, base_url: str, token: str, account_ids: list[str]) -> tuple[int, int]:
    """Statuses by the actors in the reader's home timeline, paged through with `Link: next`;
    answers them and the pages it took."""
    url, seen, pages = f"{base_url}/api/v1/timelines/home?limit=40", set(), 0
    wanted = set(account_ids)
    while url:
        async with http.get(url, headers={"Authorization": f"Bearer {token}"}) as response:
            page = await response.json()
            url = response.links.get("next", {}).get("url") if page else None
        pages += 1
        seen.update(status["id"] for status in page if status["account"]["id"] in wanted)
    return len(seen), pages


async def run(args: argparse.Namespace, workdir: Path) -> None:
    import aiohttp

    database = BenchDatabase(args.database_url, workdir)
    await database.create()
    node = Node(database.url, workdir, args.env, args.profile)
    spawn = multiprocessing.get_context("spawn")
    remote = loadgen = None
    remote_conn = load_conn = None
    try:
        node.migrate()
        email = node.create_user("reader", PASSWORD)
        await node.start()
        print_header("inbox: signed Creates to the shared inbox, processed until visible", database, node)
        remote_port = free_port()
        actors = make_actors(args.actors, remote_port)
        remote_conn, child = spawn.Pipe()
        remote = spawn.Process(target=remote_main, args=(actors, remote_port, f"{node.base_url}/inbox", child),
                               daemon=True)
        remote.start()
        child.close()  # the parent's copy: if the process dies, recv() ends with EOFError
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, remote_conn.recv)  # "ready"
        async with aiohttp.ClientSession() as http:
            token = await sign_in(http, node.base_url, email, PASSWORD)
            account_ids = [await follow_remote(http, node.base_url, token, actor["uri"]) for actor in actors]
            load_conn, child = spawn.Pipe()
            loadgen = spawn.Process(target=loadgen_main, daemon=True, args=(
                f"{node.base_url}/inbox", actors, args.activities, args.concurrency, child))
            loadgen.start()
            child.close()
            warmup = await loop.run_in_executor(None, load_conn.recv)
            # The warm-up posts are processed (and so the key fetched) before the timed load.
            await watch(http, node.base_url, token, account_ids, len(actors), 0.05, 30)
            expected = len(actors) + args.activities
            marks = node.monitor.cpu_marks()
            load_conn.send("go")
            watcher = asyncio.create_task(watch(http, node.base_url, token, account_ids, expected,
                                                args.poll, args.timeout))
            result = await loop.run_in_executor(None, load_conn.recv)
            trace = await watcher
            node_cpu = cpu_window(node, marks)
            async with http.get(f"http://127.0.0.1:{remote_port}/_stats") as response:
                remote_stats = await response.json()
            visible, pages = await home_timeline_count(http, node.base_url, token, account_ids)
        report(args, result, warmup, trace, expected, node, node_cpu, visible - len(actors), pages, remote_stats)
    finally:
        for conn, process in ((load_conn, loadgen), (remote_conn, remote)):
            if process is not None:
                if conn is not None and process is remote:
                    conn.send("stop")
                process.join(10)
                if process.is_alive():
                    process.terminate()
        await node.stop()
        report_warnings(node)
        if args.profile:
            node.print_profile(args.profile)
        await database.drop()


def report(args, result: dict, warmup: dict, trace: list, expected: int, node: Node, node_cpu: tuple,
           visible: int, pages: int, remote_stats: dict) -> None:
    statuses, latencies = result["statuses"], result["latencies"]
    start, end = result["start"], result["end"]
    wall = end - start
    accepted = statuses.get(202, 0)
    baseline = expected - args.activities  # the warm-up posts
    done_at = trace[-1][0] if trace and trace[-1][1] >= expected else None
    at_load_end = max((count for t, count in trace if t <= end), default=baseline) - baseline
    row("workload", f"{args.activities} distinct signed Creates by {args.actors} remote actor"
        f"{'s' if args.actors != 1 else ''} to POST /inbox, {args.concurrency} in flight; "
        "the reader follows the actors")
    row("warm-up answers", statuses_line(warmup["warmup"]))
    row("answers", statuses_line(statuses))
    row("load wall time", f"{wall:.2f} s")
    row("accepted/s", f"{accepted / wall:.0f}")
    row("latency", latency_line(latencies))
    row("visible when load ended", f"{at_load_end} of {args.activities} "
        f"(statuses_count through GET /api/v1/accounts/:id, asked every {args.poll:g} s)")
    if done_at is not None:
        total = done_at - start
        row("all visible after", f"{total:.2f} s from the first request")
        row("processed/s end to end", f"{args.activities / total:.0f}")
        if done_at > end and args.activities > at_load_end:
            row("after the load", f"{(args.activities - at_load_end) / (done_at - end):.0f} processed/s "
                f"({args.activities - at_load_end} in {done_at - end:.2f} s)")
    else:
        last = trace[-1][1] - baseline if trace else 0
        row("all visible after", f"NOT within {args.timeout:g} s: {last} of {args.activities} visible")
        total = (trace[-1][0] if trace else end) - start
        row("processed/s end to end", f"{last / total:.0f} (of those visible by then)")
    row("in the home timeline", f"{visible} of {args.activities} (reader's GET /api/v1/timelines/home, "
        f"{pages} pages of 40)")
    report_node(node, node_cpu, "from the first request until all were visible")
    row("load generator CPU", f"{result['cpu_s']:.2f} s (signing beforehand included)")
    row("remote actors' server", statuses_line(remote_stats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=2000, help="signed Creates to send")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--actors", type=int, default=1, help="remote actors signing them")
    parser.add_argument("--poll", type=float, default=0.1, help="seconds between the API checks")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds to wait for every post to be visible")
    run_benchmark(parser, run)


if __name__ == "__main__":
    main()
