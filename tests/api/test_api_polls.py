"""Polls through the client API and across servers: made with a post through Mastodon.py,
read, voted in (once; one choice unless the poll takes several; never after its end), hidden
totals, refused polls that store nothing; a poll on node A answered from node B with the
counts coming back in an Update, and closed by the workers at its end with a `poll`
notification on both sides; the Question served for a local poll."""

from datetime import timedelta

import pytest
from mastodon import MastodonAPIError
from sqlalchemy import func, select, update

from storage.models import Poll, Post
from storage.types import utcnow
from tests.api.federated import live_node, signed_in

AS2 = "application/activity+json"


async def _end_polls_now(node) -> None:
    async with await node.session() as session:
        await session.execute(update(Poll).values(expires_at=utcnow() - timedelta(seconds=1)))
        await session.commit()


async def test_a_poll_is_made_read_and_voted_in_on_one_node(nodes, http):
    a = await live_node(nodes, "a")
    alice, bob = await signed_in(a, "alice"), await signed_in(a, "bob")
    poll = alice.make_poll(["harbour", "station", "school"], expires_in=3600, multiple=True)
    status = await a.call(alice.status_post, "Which walls next?", poll=poll)
    made = status["poll"]
    assert [option["title"] for option in made["options"]] == ["harbour", "station", "school"]
    assert made["multiple"] is True and made["expired"] is False and made["votes_count"] == 0
    assert made["voted"] is True and made["own_votes"] == []  # the author counts as having voted

    voted = await a.call(bob.poll_vote, made["id"], [0, 2])
    assert voted["own_votes"] == [0, 2] and voted["voted"] is True
    assert [option["votes_count"] for option in voted["options"]] == [1, 0, 1]
    assert voted["votes_count"] == 2 and voted["voters_count"] == 1
    seen = await a.call(alice.status, status["id"])
    assert [option["votes_count"] for option in seen["poll"]["options"]] == [1, 0, 1]

    with pytest.raises(MastodonAPIError, match="already voted"):
        await a.call(bob.poll_vote, made["id"], [1])
    async with http.get(f"{a.base_url}/api/v1/polls/{made['id']}") as response:
        public = await response.json()
    assert response.status == 200 and "voted" not in public and public["votes_count"] == 2

    await _end_polls_now(a)
    carol = await signed_in(a, "carol")
    with pytest.raises(MastodonAPIError, match="ended"):
        await a.call(carol.poll_vote, made["id"], [1])


async def test_hidden_totals_and_one_choice(nodes):
    a = await live_node(nodes, "a")
    alice, bob = await signed_in(a, "alice"), await signed_in(a, "bob")
    status = await a.call(alice.status_post, "Pick one",
                          poll=alice.make_poll(["red", "blue"], expires_in=600, hide_totals=True))
    poll_id = status["poll"]["id"]
    with pytest.raises(MastodonAPIError, match="one choice"):
        await a.call(bob.poll_vote, poll_id, [0, 1])
    with pytest.raises(MastodonAPIError, match="option numbers"):
        await a.call(bob.poll_vote, poll_id, [7])
    voted = await a.call(bob.poll_vote, poll_id, [1])
    assert [option["votes_count"] for option in voted["options"]] == [None, None]
    assert voted["voters_count"] is None  # given only for polls with several choices
    await _end_polls_now(a)
    ended = await a.call(bob.poll, poll_id)
    assert ended["expired"] is True and [option["votes_count"] for option in ended["options"]] == [0, 1]


@pytest.mark.parametrize("poll, problem", [
    ({"options": ["only one"], "expires_in": 600}, "at least 2"),
    ({"options": ["a", "b", "c", "d", "e"], "expires_in": 600}, "at most 4"),
    ({"options": ["a", "x" * 51], "expires_in": 600}, "longer than 50"),
    ({"options": ["a", "a"], "expires_in": 600}, "differ"),
    ({"options": ["a", "b"], "expires_in": 10}, "expires_in"),
    ({"options": ["a", "b"]}, "expires_in"),
    ("yes", "poll"),
])
async def test_a_bad_poll_is_refused_and_posts_nothing(nodes, http, poll, problem):
    a = await live_node(nodes, "a")
    alice = await signed_in(a, "alice")
    async with http.post(f"{a.base_url}/api/v1/statuses", json={"status": "vote!", "poll": poll},
                         headers={"Authorization": f"Bearer {alice.access_token}"}) as response:
        assert response.status == 422, await response.text()
        assert problem in (await response.json())["error"]
    async with await a.session() as session:
        assert (await session.execute(select(func.count()).select_from(Post))).scalar_one() == 0


async def test_a_poll_answered_from_another_node_and_closed_at_its_end(nodes, http):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    [found] = (await b.call(bob.search_v2, f"@alice@{a.settings.domain}", resolve=True))["accounts"]
    await b.call(bob.account_follow, found["id"])
    await nodes.settle()
    posted = await a.call(alice.status_post, "Where should the mural go?",
                          poll=alice.make_poll(["harbour", "station"], expires_in=3600))
    await nodes.settle()

    # The Question as A serves it.
    async with http.get(posted["uri"], headers={"Accept": AS2}) as response:
        question = await response.json()
    assert question["type"] == "Question" and [item["name"] for item in question["oneOf"]] == ["harbour", "station"]
    assert question["endTime"] and "anyOf" not in question

    [remote] = await b.call(bob.timeline_home)
    assert remote["uri"] == posted["uri"] and remote["poll"]["voted"] is False
    voted = await b.call(bob.poll_vote, remote["poll"]["id"], [1])
    assert [option["votes_count"] for option in voted["options"]] == [0, 1]  # counted at once on B
    await nodes.settle()  # the vote goes to A, A's Update comes back

    on_a = await a.call(alice.poll, posted["poll"]["id"])
    assert [option["votes_count"] for option in on_a["options"]] == [0, 1]
    on_b = await b.call(bob.poll, remote["poll"]["id"])
    assert [option["votes_count"] for option in on_b["options"]] == [0, 1] and on_b["own_votes"] == [1]

    await _end_polls_now(a)
    await nodes.settle()  # A closes its poll and sends the final Update; B closes its copy
    [ended] = await a.call(alice.notifications, types=["poll"])
    assert ended["status"]["id"] == posted["id"] and ended["status"]["poll"]["expired"] is True
    [told] = await b.call(bob.notifications, types=["poll"])
    assert told["status"]["uri"] == posted["uri"] and told["status"]["poll"]["expired"] is True
    assert told["account"]["acct"] == f"alice@{a.settings.domain}"
