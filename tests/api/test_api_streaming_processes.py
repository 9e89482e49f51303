"""Streaming events from the node's other processes (node/change_feed.py): the payloads the
processes exchange, and, on PostgreSQL, a post committed by a second process sharing the
database (as `muralist worker` does) reaching a WebSocket of the first, exactly once."""

import asyncio
import json

import pytest
from aiohttp import WSMsgType, web
from sqlalchemy import text

from node import context
from node.actions import create_post
from node.app import create_app
from node.change_feed import MAX_PAYLOAD, ChangeFeed, decode, encode
from node.federation.runtime import FEDERATION
from node.committed_changes import Changes, DeletedPost
from node.settings import Settings
from storage.models import Delivery
from tests.conftest import create_user

WAIT = 10.0


def test_payloads_round_trip_and_stay_under_the_limit():
    changes = Changes(new_post_ids=list(range(10**17, 10**17 + 900)), edited_post_ids=[7],
                      deleted_posts=[DeletedPost(5, 6, "public", True,
                                                 ["x" * 5000] + [f"tag{i}" for i in range(40)])],
                      notification_ids=list(range(300)))
    payloads = encode("origin-a", changes)
    assert len(payloads) > 1 and all(len(payload.encode()) < MAX_PAYLOAD for payload in payloads)
    decoded = [decode(payload) for payload in payloads]
    assert {origin for origin, _part in decoded} == {"origin-a"}
    merged = Changes.merged([part for _origin, part in decoded])
    assert merged.new_post_ids == changes.new_post_ids and merged.edited_post_ids == [7]
    assert merged.notification_ids == changes.notification_ids
    [deleted] = merged.deleted_posts
    assert (deleted.post_id, deleted.account_id, deleted.visibility, deleted.local) == (5, 6, "public", True)
    assert deleted.tags == [f"tag{i}" for i in range(20)]  # enough to route hashtag streams


def test_queued_work_travels_with_or_without_ids():
    [alone] = encode("origin-a", Changes(queued_work=True))
    assert decode(alone)[1].queued_work is True
    with_ids = [decode(payload)[1] for payload in encode("origin-a", Changes(new_post_ids=[1], queued_work=True))]
    assert Changes.merged(with_ids).queued_work is True and Changes.merged(with_ids).new_post_ids == [1]
    assert not decode(encode("origin-a", Changes(new_post_ids=[1]))[0])[1].queued_work
    assert encode("origin-a", Changes()) == []


@pytest.mark.parametrize("payload", ["not json", "[]", '{"new": [1]}', '{"origin": "x", "new": ["a"]}',
                                     '{"origin": "x", "deleted": [[1, 2]]}'])
def test_a_payload_we_did_not_write_is_ignored(payload):
    assert decode(payload) is None


def _settings(database_url, tmp_path) -> Settings:
    return Settings(domain="127.0.0.1:1", scheme="http", database_url=database_url,
                    media_dir=str(tmp_path / "media"), run_workers=False)


async def test_the_feed_is_off_without_postgresql(database_url, tmp_path):
    runner = web.AppRunner(create_app(_settings(database_url, tmp_path)))
    await runner.setup()
    try:
        assert ChangeFeed(runner.app[context.ENGINE]).enabled == database_url.startswith("postgresql")
    finally:
        await runner.cleanup()


async def _post(app, account, text: str) -> None:
    async with app[context.SESSIONMAKER]() as session:
        author = await session.get(type(account), account.id)
        await create_post(session, app[context.SETTINGS], author, text=text, visibility="public")
        await session.commit()


async def _update_contents(ws, count: int) -> list[str]:
    contents = []
    for _ in range(count):
        message = await ws.receive(timeout=WAIT)
        assert message.type == WSMsgType.TEXT, message
        event = json.loads(message.data)
        assert event["event"] == "update"
        contents.append(json.loads(event["payload"])["content"])
    return contents


LISTENERS = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
             "AND query LIKE 'LISTEN%muralist_changes%' AND pid <> pg_backend_pid()")


async def _drop_listeners(engine) -> int:
    async with engine.connect() as connection:
        pids = (await connection.execute(text(LISTENERS))).scalars().all()
        for pid in pids:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    return len(pids)


async def _until_listening(engine, count: int) -> None:
    for _ in range(100):
        async with engine.connect() as connection:
            if len((await connection.execute(text(LISTENERS))).scalars().all()) == count:
                return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{count} listeners did not come back")


async def test_a_post_committed_by_another_process_reaches_the_stream(database_url, tmp_path, http):
    if not database_url.startswith("postgresql"):
        pytest.skip("processes share committed changes through PostgreSQL's NOTIFY; this run is on SQLite")
    settings = _settings(database_url, tmp_path)
    web_runner, other_runner = web.AppRunner(create_app(settings)), web.AppRunner(create_app(settings))
    await web_runner.setup()
    await other_runner.setup()  # the second process: same node, same database, no site of its own
    try:
        site = web.TCPSite(web_runner, "127.0.0.1", 0)
        await site.start()
        port = web_runner.addresses[0][1]
        alice = await create_user(other_runner.app, "alice")
        async with http.ws_connect(f"http://127.0.0.1:{port}/api/v1/streaming?stream=public") as ws:
            await _post(other_runner.app, alice, "painted in the other process")
            await _post(web_runner.app, alice, "painted in this process")
            contents = await _update_contents(ws, 2)
            assert sorted(contents) == ["<p>painted in the other process</p>", "<p>painted in this process</p>"]
            # This process's own post came once: not again when its notification echoes back.
            with pytest.raises(asyncio.TimeoutError):
                await ws.receive(timeout=1.0)

            # The database drops the listening connections (a restart, a network cut): the
            # web process listens again and later posts still arrive.
            engine = web_runner.app[context.ENGINE]
            assert await _drop_listeners(engine) == 2  # both apps listen
            await _until_listening(engine, 2)
            await _post(other_runner.app, alice, "painted after the cut")
            assert await _update_contents(ws, 1) == ["<p>painted after the cut</p>"]
    finally:
        await other_runner.cleanup()
        await web_runner.cleanup()


async def test_work_queued_by_another_process_wakes_this_ones_workers(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("processes share committed changes through PostgreSQL's NOTIFY; this run is on SQLite")
    settings = _settings(database_url, tmp_path)
    here, other = web.AppRunner(create_app(settings)), web.AppRunner(create_app(settings))
    await here.setup()
    await other.setup()
    try:
        wake = here.app[FEDERATION].waker()
        alice = await create_user(other.app, "alice")
        await asyncio.sleep(0.5)
        wake.clear()
        async with other.app[context.SESSIONMAKER]() as session:
            session.add(Delivery(activity_uri="https://node.test/a/1", inbox_uri="https://peer.test/inbox",
                                 host="peer.test", body="{}", signer_account_id=alice.id))
            await session.commit()
        await asyncio.wait_for(wake.wait(), WAIT)
    finally:
        await other.cleanup()
        await here.cleanup()
