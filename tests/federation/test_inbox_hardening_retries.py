"""Issue 11, failures inside inbox handlers: an unexpected exception is logged at ERROR with
the item's id, its type and the traceback, and retried a few times (MAX_UNEXPECTED_ATTEMPTS)
before the item is marked failed; InvalidActivity and undecodable JSON fail at once, and a
network failure (FetchError) keeps the full backoff up to MAX_ATTEMPTS."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from activitypub.errors import FetchError, InvalidActivity
from activitypub.inbox.process import MAX_ATTEMPTS, MAX_UNEXPECTED_ATTEMPTS
from node.federation.handlers import registry
from storage.models import InboxItem
from storage.snowflake import new_id
from storage.types import utcnow

from tests.peer import Peer

LOGGER = "activitypub.inbox.process"


@pytest.fixture
async def peer():
    server = await Peer().start()
    yield server
    await server.close()


@pytest.fixture
def failing_like(monkeypatch):
    """Make the Like handler raise `error` (set it on the returned dict) on every attempt."""
    registry.handler_for("Like")  # registers every handler first, so the patch is not overwritten
    raised = {}

    async def handler(ctx, session, activity, actor):
        raise raised["error"]

    monkeypatch.setitem(registry.HANDLERS, "Like", handler)
    return raised


async def _item(node) -> InboxItem:
    async with node.session() as session:
        return (await session.execute(select(InboxItem))).scalar_one()


async def _attempt_again(nodes, node) -> InboxItem:
    """Make the queued item due now (instead of waiting out its backoff) and process it."""
    async with node.session() as session:
        await session.execute(update(InboxItem).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        await session.commit()
    await nodes.settle()
    return await _item(node)


async def _deliver_like(nodes, peer):
    node = await nodes.start("a")
    bob = peer.add_actor("bob")
    like = {"id": f"{bob.uri}#likes/1", "type": "Like", "actor": bob.uri, "object": bob.uri}
    assert (await peer.send(bob, f"{node.base_url}/inbox", like)).status == 202
    return node


def _errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno >= logging.ERROR]


@pytest.mark.parametrize("error", [KeyError("object"), TypeError("not a dict"), ValueError("bad date"),
                                   ZeroDivisionError("bug")], ids=lambda e: type(e).__name__)
async def test_an_unexpected_exception_is_logged_at_error_and_retried_a_few_times(
        nodes, peer, failing_like, caplog, error):
    caplog.set_level(logging.INFO, logger=LOGGER)
    failing_like["error"] = error
    node = await _deliver_like(nodes, peer)
    await nodes.settle()
    item = await _item(node)
    # Before: a permanent failure at the first attempt, logged at INFO.
    assert (item.state, item.attempts) == ("queued", 1)
    assert item.next_attempt_at > utcnow() and type(error).__name__ in item.last_error
    [record] = _errors(caplog)
    assert str(item.id) in record.getMessage() and "Like" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is type(error)
    for attempt in range(2, MAX_UNEXPECTED_ATTEMPTS + 1):
        item = await _attempt_again(nodes, node)
        assert item.attempts == attempt
    assert item.state == "failed" and item.finished_at is not None
    assert len(_errors(caplog)) == MAX_UNEXPECTED_ATTEMPTS
    assert "given up" in _errors(caplog)[-1].getMessage()


async def test_a_network_failure_keeps_the_full_backoff(nodes, peer, failing_like, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    failing_like["error"] = FetchError("http://peer.example/notes/1 timed out")
    node = await _deliver_like(nodes, peer)
    await nodes.settle()
    for attempt in range(2, MAX_ATTEMPTS + 1):
        item = await _attempt_again(nodes, node)
        assert item.attempts == attempt
        assert item.state == ("failed" if attempt == MAX_ATTEMPTS else "queued")
    assert _errors(caplog) == []


async def test_a_refused_activity_fails_at_once(nodes, peer, failing_like, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    failing_like["error"] = InvalidActivity("the actor may not like that")
    node = await _deliver_like(nodes, peer)
    await nodes.settle()
    item = await _item(node)
    assert (item.state, item.attempts) == ("failed", 1)
    assert _errors(caplog) == []


async def test_a_stored_body_that_is_not_json_fails_at_once(nodes, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    node = await nodes.start("a")
    async with node.session() as session:
        session.add(InboxItem(id=new_id(), activity_uri="http://peer.example/likes/1", actor_uri="http://peer.example/u",
                              activity_type="Like", body="{not json", state="queued", attempts=0,
                              next_attempt_at=utcnow(), received_at=utcnow()))
        await session.commit()
    await nodes.settle()
    item = await _item(node)
    assert (item.state, item.attempts) == ("failed", 1) and "JSONDecodeError" in item.last_error
    assert _errors(caplog) == []
