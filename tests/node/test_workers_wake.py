"""Workers wake when a commit queues work for them, not at their next poll: a delivery, a
generation job or an inbox item committed through the node's sessions sets every worker
loop's wake event once the commit has succeeded (never for a rollback)."""

import asyncio

from node.federation.runtime import FEDERATION
from storage.models import Delivery, GenerationJob

from tests.conftest import create_user


async def _settled() -> None:
    # Commit reports are handed to the loop with call_soon.
    for _ in range(3):
        await asyncio.sleep(0)


async def test_commits_that_queue_work_wake_the_workers(nodes):
    node = await nodes.start("a")
    alice = await create_user(node.app, "alice")
    wake = node.app[FEDERATION].waker()

    async with node.session() as session:
        session.add(Delivery(activity_uri="https://node.test/a/1", inbox_uri="https://peer.test/inbox",
                             host="peer.test", body="{}", signer_account_id=alice.id))
        await session.flush()
        await _settled()
        assert not wake.is_set(), "woken before the commit"
        await session.rollback()
    await _settled()
    assert not wake.is_set(), "woken by a rollback"

    async with node.session() as session:
        session.add(Delivery(activity_uri="https://node.test/a/2", inbox_uri="https://peer.test/inbox",
                             host="peer.test", body="{}", signer_account_id=alice.id))
        await session.commit()
    await _settled()
    assert wake.is_set()

    wake.clear()
    async with node.session() as session:
        session.add(GenerationJob(account_id=alice.id, prompt="a fox in the snow"))
        await session.commit()
    await _settled()
    assert wake.is_set()


async def test_commits_without_queued_work_let_the_workers_sleep(nodes):
    node = await nodes.start("a")
    wake = node.app[FEDERATION].waker()
    await create_user(node.app, "alice")
    await _settled()
    assert not wake.is_set()
