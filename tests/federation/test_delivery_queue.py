"""The durable delivery queue: answers classified, Retry-After honoured, gone actors marked,
several worker processes never sending one delivery twice, and a killed worker losing nothing."""

import asyncio
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from activitypub.delivery.queue import enqueue_delivery
from activitypub.delivery.sender import classify
from storage.models import Account, Delivery

from tests.peer import Peer


@pytest.fixture
async def peer():
    server = await Peer().start()
    yield server
    await server.close()


@pytest.mark.parametrize("status, kind", [
    (200, "done"), (202, "done"), (410, "gone"), (400, "final"), (403, "final"), (404, "final"),
    (401, "retry"), (408, "retry"), (429, "retry"), (500, "retry"), (503, "retry"),
])
def test_answers_are_classified(status, kind):
    assert classify(status, None).kind == kind


def test_retry_after_in_seconds_and_as_a_date():
    now = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
    assert classify(429, "120", now).retry_after == now + timedelta(seconds=120)
    assert classify(503, "Wed, 25 Nov 2026 13:00:00 GMT", now).retry_after == now + timedelta(hours=1)


async def _fan_out(node, peer, count: int) -> tuple[Account, list[str]]:
    alice = await node.create_user("alice")
    inboxes = [f"{peer.base}/boxes/u{i}/inbox" for i in range(count)]
    async with node.session() as session:
        session.add_all(Account(username=f"u{i}", domain=f"127.0.0.1:{peer.port}",
                                actor_uri=f"{peer.base}/boxes/u{i}", inbox_uri=inboxes[i]) for i in range(count))
        activity = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{alice.actor_uri}/statuses/1/activity",
                    "type": "Create", "actor": alice.actor_uri,
                    "object": {"id": f"{alice.actor_uri}/statuses/1", "type": "Note", "content": "hi"}}
        await enqueue_delivery(session, activity, alice, inboxes)
        # Queuing the same activity again adds nothing.
        assert await enqueue_delivery(session, activity, alice, inboxes) == 0
        await session.commit()
    return alice, inboxes


async def _states(node) -> dict[str, int]:
    async with node.session() as session:
        rows = await session.execute(select(Delivery.state, func.count()).group_by(Delivery.state))
        return dict(rows.all())


async def test_retry_after_and_gone_and_final(nodes, peer):
    node = await nodes.start("a")
    await _fan_out(node, peer, 1)
    peer.inbox_status, peer.inbox_headers = 429, {"Retry-After": "3600"}
    await nodes.settle()
    async with node.session() as session:
        row = (await session.execute(select(Delivery))).scalar_one()
        assert row.state == "queued" and row.attempts == 1 and row.last_status == 429
        assert row.next_attempt_at > datetime.now(timezone.utc) + timedelta(minutes=55)
        row.next_attempt_at = datetime.now(timezone.utc)
        await session.commit()
    peer.inbox_status, peer.inbox_headers = 410, {}
    await nodes.settle()
    async with node.session() as session:
        row = (await session.execute(select(Delivery))).scalar_one()
        assert row.state == "failed" and row.last_status == 410
        gone = (await session.execute(select(Account).where(Account.username == "u0"))).scalar_one()
        assert gone.gone_at is not None


async def test_final_4xx_is_not_retried(nodes, peer):
    node = await nodes.start("a")
    await _fan_out(node, peer, 2)
    peer.inbox_status = 403
    await nodes.settle()
    assert await _states(node) == {"failed": 2}
    assert len(peer.deliveries) == 2


def _worker(node) -> subprocess.Popen:
    settings = node.settings
    env = dict(os.environ, MURALIST_DATABASE_URL=settings.database_url, MURALIST_DOMAIN=settings.domain,
               MURALIST_SCHEME="http", MURALIST_ALLOW_PRIVATE_ADDRESSES="true", MURALIST_BIND=settings.bind)
    return subprocess.Popen([sys.executable, "-m", "node.cli", "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _wait_until_done(node, count: int, timeout: float = 90) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (await _states(node)).get("done", 0) < count:
        assert asyncio.get_running_loop().time() < deadline, await _states(node)
        await asyncio.sleep(0.2)


async def test_several_worker_processes_never_send_twice(nodes, peer):
    node = await nodes.start("a")
    _, inboxes = await _fan_out(node, peer, 150)
    peer.inbox_delay = 0.01
    workers = [_worker(node) for _ in range(3)]
    try:
        await _wait_until_done(node, len(inboxes))
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=10)
    paths = [path for path, _ in peer.deliveries]
    assert sorted(paths) == sorted(f"/boxes/u{i}/inbox" for i in range(150))


async def test_killing_a_worker_mid_fanout_loses_no_delivery(nodes, peer):
    node = await nodes.start("a")
    _, inboxes = await _fan_out(node, peer, 120)
    peer.inbox_delay = 0.05
    worker = _worker(node)
    try:
        while not peer.deliveries:
            await asyncio.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(timeout=10)
    assert (await _states(node)).get("done", 0) < len(inboxes)
    # The killed worker's leases expire; a fresh worker delivers everything that was left.
    async with node.session() as session:
        await session.execute(Delivery.__table__.update().values(locked_until=None))
        await session.commit()
    peer.inbox_delay = 0
    await nodes.settle()
    assert await _states(node) == {"done": len(inboxes)}
    assert {path for path, _ in peer.deliveries} == {f"/boxes/u{i}/inbox" for i in range(120)}
