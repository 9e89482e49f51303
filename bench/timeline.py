"""Home-timeline benchmark: `GET /api/v1/timelines/home` on a running node, for a user
following 200 accounts, at a given number of posts in the database.

The database is seeded before the node starts, straight into the tables the home timeline
reads, with rows shaped as the node writes them (remote accounts, accepted follows, posts and
boosts as the inbox stores them, image attachments, and `home_feed` entries for the followed
authors' posts, as fan-in on write adds them). About a quarter of the posts are by followed
accounts, the rest by 2,000 accounts the reader does not follow. The reader is made with
`muralist user create`. Each size in `--posts` is reached by adding older posts with the node
stopped, so the newest pages are the same at every size and only the volume differs.

For each size the node starts as `make run` starts it (harness.Node), the reader signs in
(password grant), and a load generator in a process of its own keeps `--concurrency` requests
in flight for `--seconds` after a one-second warm-up: `?limit=20`, and every tenth request a
deeper page (`max_id` from the `Link` headers of a short walk down the timeline).

    .venv/bin/python bench/timeline.py [--posts 100000] [--follows 200] [--seconds 10]
        [--concurrency 24] [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test]
        [--env KEY=VALUE] [--profile N] [--keep]

Prints, per size, the seeding time, requests, req/s, latency percentiles, the node's CPU and
peak RSS; with several sizes (`--posts 100000,1000000`) also the ratio of latency at the largest
size to the smallest. Asserts nothing. Everything runs on 127.0.0.1; the temporary database is
dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402  (harness puts the repository on sys.path)
    BenchDatabase, Node, cpu_window, latency_line, now, percentile, print_header, report_node, report_warnings,
    row, run_benchmark, sign_in, statuses_line,
)

from sqlalchemy import insert, select, text  # noqa: E402

from storage.models import Account, Follow, HomeFeedEntry, MediaAttachment, Post  # noqa: E402
from storage.snowflake import new_id  # noqa: E402
from storage.states import FollowState  # noqa: E402

PASSWORD = "a long bench password"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
OTHERS = 2000           # accounts the reader does not follow
FOLLOWED_SHARE = 0.25   # of all posts, by followed accounts
BATCH = 5000            # rows per executemany
SPACING_MS = 10_000     # one post every ten seconds, newest first
PAGED_EVERY = 10        # every tenth request pages down with max_id


# --- seeding (before the node starts) -------------------------------------------------------

def remote_account(name: str, domain: str) -> dict:
    actor = f"https://{domain}/users/{name}"
    return {"id": new_id(), "username": name, "domain": domain, "actor_uri": actor, "actor_type": "Person",
            "display_name": name.title(), "note": "<p>murals and more</p>", "url": f"https://{domain}/@{name}",
            "inbox_uri": f"{actor}/inbox", "shared_inbox_uri": f"https://{domain}/inbox",
            "followers_uri": f"{actor}/followers", "following_uri": f"{actor}/following",
            "public_key_id": f"{actor}#main-key", "locked": False, "bot": False, "discoverable": True,
            "indexable": True, "fields": [], "created_at": datetime.now(timezone.utc),
            "updated_at": datetime.now(timezone.utc), "fetched_at": datetime.now(timezone.utc)}


class Seeder:
    """Writes the accounts, follows, posts, media and home-feed rows in big Core batches."""

    def __init__(self, engine, reader_id: int, follows: int) -> None:
        self.engine, self.reader_id = engine, reader_id
        self.followed = [remote_account(f"f{i}", f"f{i % 20}.example") for i in range(follows)]
        self.others = [remote_account(f"o{i}", f"s{i % 50}.example") for i in range(OTHERS)]
        self.seeded = 0
        self.newest_ms = int(time.time() * 1000) - 60_000

    async def _insert(self, connection, table, rows: list[dict]) -> None:
        for start in range(0, len(rows), BATCH):
            await connection.execute(insert(table), rows[start:start + BATCH])

    async def accounts(self) -> None:
        stamp = datetime.now(timezone.utc)
        follows = [{"id": new_id(), "account_id": self.reader_id, "target_account_id": account["id"],
                    "follow_uri": f"https://bench.test/follows/{index}", "state": FollowState.ACCEPTED,
                    "created_at": stamp}
                   for index, account in enumerate(self.followed)]
        async with self.engine.begin() as connection:
            await self._insert(connection, Account.__table__, self.followed + self.others)
            await self._insert(connection, Follow.__table__, follows)

    async def grow_to(self, total: int) -> float:
        """Add older posts until there are `total`; answers the seconds it took."""
        began = time.perf_counter()
        rng = random.Random(self.seeded)
        while self.seeded < total:
            count = min(BATCH * 4, total - self.seeded)
            posts, media, feed = self._batch(rng, self.seeded, count)
            async with self.engine.begin() as connection:
                await self._insert(connection, Post.__table__, posts)
                await self._insert(connection, MediaAttachment.__table__, media)
                await self._insert(connection, HomeFeedEntry.__table__, feed)
            self.seeded += count
        if self.engine.dialect.name == "postgresql":
            # What autovacuum soon does after bulk inserts; index-only scans need the visibility map.
            async with self.engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM ANALYZE"))
        return time.perf_counter() - began

    def _batch(self, rng: random.Random, first: int, count: int) -> tuple[list, list, list]:
        posts, media, feed = [], [], []
        originals: list[int] = []  # public posts of this batch, newer ones first: boost targets
        # Walk from the oldest post of the batch to the newest so a boost follows its original.
        for index in range(first + count - 1, first - 1, -1):
            ms = self.newest_ms - index * SPACING_MS
            post_id = (ms << 16) | (index & 0xFFF)
            followed = rng.random() < FOLLOWED_SHARE
            author = rng.choice(self.followed if followed else self.others)
            if originals and rng.random() < 0.1:
                row = self._boost(post_id, ms, author, rng.choice(originals[-500:]))
            else:
                row = self._post(rng, post_id, ms, author)
                if row["visibility"] == "public":
                    originals.append(post_id)
                media.extend(self._media(rng, row, author))
            posts.append(row)
            if followed and row["visibility"] != "direct":
                feed.append({"account_id": self.reader_id, "post_id": post_id})
        return posts, media, feed

    def _post(self, rng: random.Random, post_id: int, ms: int, author: dict) -> dict:
        visibility = rng.choices(("public", "unlisted", "private", "direct"), (85, 10, 4, 1))[0]
        to, cc = ([PUBLIC], [author["followers_uri"]]) if visibility == "public" else \
            ([author["followers_uri"]], [PUBLIC]) if visibility == "unlisted" else ([author["followers_uri"]], [])
        uri = f"{author['actor_uri']}/statuses/{post_id}"
        tag = rng.choice(("murals", "streetart", "harbour", "lighthouse"))
        return {"id": post_id, "account_id": author["id"], "object_uri": uri, "url": uri, "local": False,
                "visibility": visibility, "spoiler_text": "", "sensitive": False, "language": "en",
                "content": f"<p>A mural of a {tag} at dusk, study {post_id % 997} "
                           f'<a href="https://{author["domain"]}/tags/{tag}" class="mention hashtag">#{tag}</a></p>',
                "to_uris": to, "cc_uris": cc, "tags": [tag], "generation": None, "in_reply_to_id": None,
                "reblog_of_id": None, "favourites_count": rng.randrange(5), "reblogs_count": rng.randrange(3),
                "replies_count": 0, "created_at": datetime.fromtimestamp(ms / 1000, timezone.utc)}

    def _boost(self, post_id: int, ms: int, author: dict, original_id: int) -> dict:
        # As the Announce handler stores it: an empty row pointing at the original.
        return {"id": post_id, "account_id": author["id"], "local": False, "visibility": "public",
                "object_uri": f"{author['actor_uri']}/statuses/{post_id}/activity", "url": None,
                "content": "", "spoiler_text": "", "sensitive": False, "language": None, "to_uris": [],
                "cc_uris": [], "tags": [], "generation": None, "in_reply_to_id": None,
                "reblog_of_id": original_id, "favourites_count": 0, "reblogs_count": 0, "replies_count": 0,
                "created_at": datetime.fromtimestamp(ms / 1000, timezone.utc)}

    def _media(self, rng: random.Random, post: dict, author: dict) -> list[dict]:
        """As the inbox stores a remote post's images: remote URLs, alt text, blurhash, size."""
        if rng.random() >= 0.4:
            return []
        base = f"https://{author['domain']}/media/{post['id']}"
        return [{"id": new_id(), "account_id": author["id"], "post_id": post["id"], "position": position,
                 "media_type": "image/jpeg", "remote_url": f"{base}-{position}.jpg",
                 "description": "a mural on a harbour wall", "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
                 "width": 1024, "height": 768, "focus_x": 0.0, "focus_y": 0.0,
                 "created_at": post["created_at"]}
                for position in range(rng.choice((1, 1, 1, 2, 4)))]



async def reader_account_id(database: BenchDatabase, username: str) -> int:
    engine = database.engine()
    try:
        async with engine.connect() as connection:
            return (await connection.execute(select(Account.id).where(
                Account.username == username, Account.domain.is_(None)))).scalar_one()
    finally:
        await engine.dispose()


async def count_feed(engine, reader_id: int) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(text("SELECT count(*) FROM home_feed WHERE account_id = :a"),
                                         {"a": reader_id})).scalar_one()


# --- the load generator (child process) ---------------------------------------------------

def loadgen_main(url: str, token: str, seconds: float, concurrency: int, conn) -> None:
    asyncio.run(_load(url, token, seconds, concurrency, conn))


async def _warm_up(http, url: str, headers: dict) -> tuple[list[str], int]:
    """Follow `rel="next"` a few pages down for max_id cursors; answers them and the first page's size."""
    cursors, page_url, first_size = [], f"{url}?limit=20", 0
    for _ in range(8):
        async with http.get(page_url, headers=headers) as response:
            body = await response.json()
            first_size = first_size or len(body)
            page_url = response.links.get("next", {}).get("url")
        if page_url is None:
            break
        cursors.append(str(page_url))
    return cursors, first_size


async def _load(url: str, token: str, seconds: float, concurrency: int, conn) -> None:
    import aiohttp
    import resource

    headers = {"Authorization": f"Bearer {token}"}
    statuses: Counter = Counter()
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        cursors, first_size = await _warm_up(http, url, headers)
        first_page = f"{url}?limit=20"
        counter = iter(range(1 << 62))

        async def sender(until: float, record: bool) -> None:
            while now() < until:
                number = next(counter)
                paged = cursors and number % PAGED_EVERY == PAGED_EVERY - 1
                target = cursors[(number // PAGED_EVERY) % len(cursors)] if paged else first_page
                began = now()
                try:
                    async with http.get(target, headers=headers) as response:
                        await response.read()
                        status = response.status
                except Exception as exc:  # noqa: BLE001 - counted and reported, never fatal
                    status = type(exc).__name__
                if record:
                    statuses[status] += 1
                    latencies.append(now() - began)

        warm_until = now() + 1.0
        await asyncio.gather(*(sender(warm_until, False) for _ in range(concurrency)))
        conn.send("warm")
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "go"
        start = now()
        await asyncio.gather(*(sender(start + seconds, True) for _ in range(concurrency)))
        wall = now() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    conn.send({"statuses": dict(statuses), "latencies": latencies, "wall": wall, "first_page": first_size,
               "cursors": len(cursors), "cpu_s": usage.ru_utime + usage.ru_stime})


async def drive(node: Node, url: str, token: str, args) -> dict:
    """One timed run of the load generator against the node; answers its figures and the node's CPU."""
    spawn = multiprocessing.get_context("spawn")
    parent_conn, child_conn = spawn.Pipe()
    generator = spawn.Process(target=loadgen_main, daemon=True,
                              args=(url, token, args.seconds, args.concurrency, child_conn))
    generator.start()
    child_conn.close()  # the parent's copy: if the process dies, recv() ends with EOFError
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(None, parent_conn.recv)  # "warm"
        marks = node.monitor.cpu_marks()
        parent_conn.send("go")
        result = await loop.run_in_executor(None, parent_conn.recv)
        result["node_cpu"] = cpu_window(node, marks)
        return result
    finally:
        generator.join(10)
        if generator.is_alive():
            generator.terminate()


# --- the run ----------------------------------------------------------------------------------

async def run(args: argparse.Namespace, workdir: Path) -> None:
    import aiohttp

    database = BenchDatabase(args.database_url, workdir)
    await database.create()
    node = Node(database.url, workdir, args.env, args.profile)
    engine = None
    try:
        node.migrate()
        email = node.create_user("reader", PASSWORD)
        reader_id = await reader_account_id(database, "reader")
        engine = database.engine()
        seeder = Seeder(engine, reader_id, args.follows)
        await seeder.accounts()
        results, token = {}, None
        for number, size in enumerate(args.posts):
            seed_s = await seeder.grow_to(size)
            feed = await count_feed(engine, reader_id)
            await node.start()
            if number == 0:
                print_header("home timeline: GET /api/v1/timelines/home, the reader following "
                             f"{args.follows} accounts", database, node)
                row("load", f"{args.concurrency} in flight for {args.seconds:g} s after 1 s of warm-up, every "
                    f"{PAGED_EVERY}th request a max_id page")
            async with aiohttp.ClientSession() as http:
                token = token or await sign_in(http, node.base_url, email, PASSWORD, scopes="read")
            url = f"{node.base_url}/api/v1/timelines/home"
            results[size] = await drive(node, url, token, args)
            report_size(size, feed, args.follows, seed_s, results[size], node)
            await node.stop()
        if len(args.posts) > 1:
            small, large = results[min(args.posts)], results[max(args.posts)]
            for name, fraction in (("p50", 0.5), ("p99", 0.99)):
                ratio = percentile(large["latencies"], fraction) / percentile(small["latencies"], fraction)
                row(f"{name} ratio {max(args.posts)}/{min(args.posts)}", f"{ratio:.2f}x")
    finally:
        await node.stop()
        report_warnings(node)
        if args.profile:
            node.print_profile(args.profile)
        if engine is not None:
            await engine.dispose()
        await database.drop()


def report_size(posts: int, feed: int, follows: int, seed_s: float, result: dict, node: Node) -> None:
    latencies, wall = result["latencies"], result["wall"]
    ok = result["statuses"].get(200, 0)
    row("posts", f"{posts} ({feed} in the reader's home feed, {follows} follows); seeded in {seed_s:.1f} s")
    row("  answers", f"{statuses_line(result['statuses'])} (first page {result['first_page']} statuses, "
        f"{result['cursors']} max_id cursors)")
    row("  requests", f"{len(latencies)} in {wall:.2f} s")
    row("  req/s", f"{ok / wall:.0f}")
    row("  latency", latency_line(latencies))
    report_node(node, result["node_cpu"], "of timed load", indent="  ")
    row("  load generator CPU", f"{result['cpu_s']:.2f} s")


def _sizes(raw: str) -> list[int]:
    return sorted(int(part.replace("_", "")) for part in raw.split(",") if part.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", default="100000", type=_sizes,
                        help="comma-separated database sizes, measured in increasing order "
                             "(1,000,000 takes minutes to seed)")
    parser.add_argument("--follows", type=int, default=200, help="accounts the reader follows")
    parser.add_argument("--seconds", type=float, default=10.0, help="timed load per size")
    parser.add_argument("--concurrency", type=int, default=24, help="requests in flight")
    run_benchmark(parser, run)


if __name__ == "__main__":
    main()
