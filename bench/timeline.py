"""Home-timeline benchmark: `GET /api/v1/timelines/home` for a user following 200 accounts.

The database is seeded straight into the tables the home timeline reads, with rows shaped as
the node writes them (remote accounts, accepted follows, posts and boosts as the inbox stores
them, image attachments, and `home_feed` entries for the followed authors' posts, as fan-in
on write adds them). About a quarter of the posts are by followed accounts, the rest by 2,000
accounts the reader does not follow. Each size in `--posts` is reached by adding older posts,
so the newest pages are the same at every size and only the volume of the database differs.

The real node app serves the API on a loopback port; the reader signs in with a real OAuth
token. A load generator in a separate process (so its CPU does not share the node's core)
keeps `--concurrency` requests in flight for `--seconds`: `?limit=20`, and every tenth
request a deeper page (`max_id` from the `Link` headers of a short warm-up).

    .venv/bin/python bench/timeline.py [--posts 100000,1000000] [--follows 200] [--seconds 10]
                                       [--concurrency 24] [--profile 25]
                                       [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Prints, per size, requests, req/s, p50 and p99 latency and the node's CPU, then the ratio of
latency at the largest size to the smallest; `--profile N` also prints the N costliest
functions of the node (cProfile, during a separate pass at the largest size). Asserts nothing.
Everything runs on 127.0.0.1; the temporary database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import pstats
import random
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from node import context  # noqa: E402
from node.accounts import create_local_user  # noqa: E402
from node.app import create_app  # noqa: E402
from node.settings import Settings  # noqa: E402
from storage.models import Account, Follow, HomeFeedEntry, MediaAttachment, Post  # noqa: E402
from storage.repositories import oauth as oauth_repo  # noqa: E402
from storage.snowflake import new_id  # noqa: E402
from storage.states import FollowState  # noqa: E402

from fanout import BenchDatabase, free_port, run_with_database  # noqa: E402

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
OTHERS = 2000           # accounts the reader does not follow
FOLLOWED_SHARE = 0.25   # of all posts, by followed accounts
BATCH = 5000            # rows per executemany
SPACING_MS = 10_000     # one post every ten seconds, newest first
PAGED_EVERY = 10        # every tenth request pages down with max_id


# --- seeding ------------------------------------------------------------------------------

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
        now = datetime.now(timezone.utc)
        follows = [{"id": new_id(), "account_id": self.reader_id, "target_account_id": account["id"],
                    "follow_uri": f"https://bench.test/follows/{index}", "state": FollowState.ACCEPTED, "created_at": now}
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


async def sign_in(app: web.Application) -> tuple[int, str]:
    """The reader's account id and a bearer token minted as `/oauth/token` mints them."""
    async with app[context.SESSIONMAKER]() as session:
        _user, account = await create_local_user(session, app[context.SETTINGS], username="reader",
                                                 email="reader@example.org", password="correct horse")
        client, _secret = await oauth_repo.put_app(session, name="bench", website=None,
                                                   redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes=["read"])
        _row, token = await oauth_repo.put_token(session, app_id=client.id, account_id=account.id, scopes=["read"])
        await session.commit()
    return account.id, token


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

    headers = {"Authorization": f"Bearer {token}"}
    statuses: Counter = Counter()
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        cursors, first_size = await _warm_up(http, url, headers)
        first_page = f"{url}?limit=20"
        counter = iter(range(1 << 62))

        async def sender(until: float, record: bool) -> None:
            while time.perf_counter() < until:
                number = next(counter)
                paged = cursors and number % PAGED_EVERY == PAGED_EVERY - 1
                target = cursors[(number // PAGED_EVERY) % len(cursors)] if paged else first_page
                began = time.perf_counter()
                try:
                    async with http.get(target, headers=headers) as response:
                        await response.read()
                        status = response.status
                except Exception as exc:  # noqa: BLE001 - counted and reported, never fatal
                    status = type(exc).__name__
                if record:
                    statuses[status] += 1
                    latencies.append(time.perf_counter() - began)

        warm_until = time.perf_counter() + 1.0
        await asyncio.gather(*(sender(warm_until, False) for _ in range(concurrency)))
        conn.send("warm")
        conn.recv()  # "go"
        start = time.perf_counter()
        await asyncio.gather(*(sender(start + seconds, True) for _ in range(concurrency)))
        wall = time.perf_counter() - start
    conn.send({"statuses": dict(statuses), "latencies": latencies, "wall": wall, "first_page": first_size,
               "cursors": len(cursors)})


# --- measuring ----------------------------------------------------------------------------

def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def drive(url: str, token: str, args, profiler: cProfile.Profile | None = None) -> dict:
    """One timed run of the load generator against the node; answers its figures and the node's CPU."""
    spawn = multiprocessing.get_context("spawn")
    parent_conn, child_conn = spawn.Pipe()
    generator = spawn.Process(target=loadgen_main, daemon=True,
                              args=(url, token, args.seconds, args.concurrency, child_conn))
    generator.start()
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(None, parent_conn.recv)  # "warm"
        cpu_start = time.process_time()
        if profiler is not None:
            profiler.enable()
        parent_conn.send("go")
        result = await loop.run_in_executor(None, parent_conn.recv)
        if profiler is not None:
            profiler.disable()
        result["node_cpu"] = time.process_time() - cpu_start
        return result
    finally:
        generator.join(10)
        if generator.is_alive():
            generator.terminate()


def report_size(posts: int, feed: int, follows: int, seed_s: float, result: dict) -> None:
    latencies, wall = result["latencies"], result["wall"]
    ok = result["statuses"].get(200, 0)
    print(f"posts                   {posts} ({feed} in the reader's home feed, {follows} follows); "
          f"seeded in {seed_s:.1f} s")
    print(f"  answers               {', '.join(f'{k}: {v}' for k, v in sorted(result['statuses'].items(), key=str))}"
          f" (first page {result['first_page']} statuses, {result['cursors']} max_id cursors)")
    print(f"  requests              {len(latencies)} in {wall:.2f} s")
    print(f"  req/s                 {ok / wall:.0f}")
    print(f"  latency p50 / p99     {percentile(latencies, 0.5) * 1000:.1f} ms / "
          f"{percentile(latencies, 0.99) * 1000:.1f} ms")
    print(f"  node CPU              {result['node_cpu']:.2f} s ({result['node_cpu'] / wall * 100:.0f}% of one core)")


async def count_feed(engine, reader_id: int) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(text("SELECT count(*) FROM home_feed WHERE account_id = :a"),
                                         {"a": reader_id})).scalar_one()


async def run(args: argparse.Namespace, workdir: Path) -> None:
    database = BenchDatabase(args.database_url, workdir)
    await database.create()
    port = free_port()
    settings = Settings(domain=f"127.0.0.1:{port}", scheme="http", bind=f"127.0.0.1:{port}",
                        database_url=database.url, media_dir=str(workdir / "media"), run_workers=False)
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
        reader_id, token = await sign_in(app)
        seeder = Seeder(app[context.ENGINE], reader_id, args.follows)
        await seeder.accounts()
        url = f"{settings.base_url}/api/v1/timelines/home"
        print(f"database                {database.label}")
        print(f"load                    {args.concurrency} in flight for {args.seconds:g} s, every "
              f"{PAGED_EVERY}th request a max_id page")
        results = {}
        for size in args.posts:
            seed_s = await seeder.grow_to(size)
            results[size] = await drive(url, token, args)
            report_size(size, await count_feed(app[context.ENGINE], reader_id), args.follows, seed_s, results[size])
        small, large = results[min(args.posts)], results[max(args.posts)]
        for name, fraction in (("p50", 0.5), ("p99", 0.99)):
            ratio = percentile(large["latencies"], fraction) / percentile(small["latencies"], fraction)
            print(f"{name} ratio {max(args.posts)}/{min(args.posts):<10} {ratio:.2f}x")
        if args.profile:
            await profile(url, token, args)
    finally:
        await runner.cleanup()
        await database.drop()


async def profile(url: str, token: str, args) -> None:
    profiler = cProfile.Profile()
    await drive(url, token, args, profiler)
    print(f"\nnode profile at {max(args.posts)} posts (cProfile, {args.seconds:g} s of load), by own time:")
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("tottime")
    stats.print_stats(args.profile)
    print("by cumulative time:")
    stats.sort_stats("cumulative").print_stats(args.profile)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", default="100000,1000000",
                        type=lambda raw: sorted(int(part) for part in raw.split(",") if part.strip()),
                        help="comma-separated database sizes, measured in increasing order")
    parser.add_argument("--follows", type=int, default=200, help="accounts the reader follows")
    parser.add_argument("--seconds", type=float, default=10.0, help="timed load per size")
    parser.add_argument("--concurrency", type=int, default=24, help="requests in flight")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="after the runs, profile the node at the largest size and print N functions")
    run_with_database(parser, run)


if __name__ == "__main__":
    main()
