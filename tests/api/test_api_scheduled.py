"""Scheduled statuses through Mastodon.py: scheduled (with a poll, or an image), listed,
moved, cancelled, refused when too soon or malformed (nothing kept), and posted by the
workers at their time, reaching a follower on another node."""

from datetime import datetime, timedelta, timezone

import pytest
from mastodon import MastodonAPIError
from sqlalchemy import func, select, update

from storage.models import Post, ScheduledStatus
from storage.types import utcnow
from tests.api.federated import live_node, signed_in
from tests.api.test_api_cross_node import png_bytes


async def _make_due(node) -> None:
    async with await node.session() as session:
        await session.execute(update(ScheduledStatus).values(scheduled_at=utcnow() - timedelta(seconds=1)))
        await session.commit()


async def test_scheduled_statuses_are_kept_moved_and_posted_at_their_time(nodes):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    [alice_on_b] = (await b.call(bob.search_v2, f"@alice@{a.settings.domain}", resolve=True))["accounts"]
    await b.call(bob.account_follow, alice_on_b["id"])
    await nodes.settle()

    later = datetime.now(timezone.utc) + timedelta(hours=2)
    first = await a.call(alice.status_post, "the mural unveiling is now", scheduled_at=later,
                         poll=alice.make_poll(["coming", "not coming"], expires_in=3600))
    assert first["params"]["text"] == "the mural unveiling is now"
    assert first["params"]["poll"]["options"] == ["coming", "not coming"]
    assert abs(first["scheduled_at"] - later) < timedelta(seconds=1)
    media = await a.call(alice.media_post, png_bytes(), mime_type="image/png", description="a ramp")
    second = await a.call(alice.status_post, "an image for tomorrow", media_ids=[media["id"]],
                          scheduled_at=later + timedelta(days=1))
    assert [item["id"] for item in second["media_attachments"]] == [media["id"]]
    third = await a.call(alice.status_post, "never mind", scheduled_at=later)
    assert len(await a.call(alice.scheduled_statuses)) == 3

    moved = await a.call(alice.scheduled_status_update, second["id"], later + timedelta(days=2))
    assert abs(moved["scheduled_at"] - (later + timedelta(days=2))) < timedelta(seconds=1)
    await a.call(alice.scheduled_status_delete, third["id"])
    await nodes.settle()
    assert await a.call(alice.account_statuses, (await a.call(alice.me))["id"]) == []

    await _make_due(a)
    await nodes.settle()  # posted, and the Creates reach B
    posted = await a.call(alice.account_statuses, (await a.call(alice.me))["id"])
    assert sorted(status["content"] for status in posted) == ["<p>an image for tomorrow</p>",
                                                              "<p>the mural unveiling is now</p>"]
    assert next(s for s in posted if s["poll"])["poll"]["options"][0]["title"] == "coming"
    assert await a.call(alice.scheduled_statuses) == []
    home = await b.call(bob.timeline_home)
    assert {status["content"] for status in home} == {status["content"] for status in posted}


@pytest.mark.parametrize("scheduled_at, problem", [
    (lambda: (datetime.now(timezone.utc) + timedelta(minutes=1)).isoformat(), "5 minutes"),
    (lambda: "next tuesday", "ISO 8601"),
    (lambda: (datetime.now() + timedelta(hours=1)).isoformat(), "time zone"),
])
async def test_a_bad_schedule_is_refused_and_keeps_nothing(nodes, http, scheduled_at, problem):
    a = await live_node(nodes, "a")
    alice = await signed_in(a, "alice")
    async with http.post(f"{a.base_url}/api/v1/statuses", json={"status": "soon", "scheduled_at": scheduled_at()},
                         headers={"Authorization": f"Bearer {alice.access_token}"}) as response:
        assert response.status == 422 and problem in (await response.json())["error"]
    async with await a.session() as session:
        for model in (ScheduledStatus, Post):
            assert (await session.execute(select(func.count()).select_from(model))).scalar_one() == 0
    with pytest.raises(MastodonAPIError):
        await a.call(alice.scheduled_status, "12345")
