"""A poll from Mastodon's captured Question (tests/fixtures/mastodon/create_question.json),
both ways: the peer's Question becomes a poll a local user sees through Mastodon.py, her
vote reaches the peer as Mastodon's vote `Note` (the option's `name`, in reply to the
Question, addressed to its author), the peer's Update moves the counts, and a vote the peer
sends in the same form is counted in a local poll rather than stored as a reply."""

import copy
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from activitypub.actor import format_datetime
from storage.models import Post
from storage.types import utcnow
from tests.api.federated import live_node, signed_in
from tests.fixtures import replay
from tests.peer import Peer


@pytest.fixture
async def peer():
    server = await Peer().start()
    yield server
    await server.close()


async def _send(nodes, node, peer, actor, activity) -> None:
    response = await peer.send(actor, node.base_url + "/inbox", activity)
    assert response.status == 202
    await nodes.settle()


async def test_a_mastodon_question_is_a_poll_voted_in_both_ways(nodes, peer):
    a = await live_node(nodes, "a")
    alice = await signed_in(a, "alice")
    felix = peer.add_actor("felix")
    ends = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    end_time = format_datetime(ends)
    create = replay.load("mastodon", "create_question", peer=peer.base, actor=felix.uri, end_time=end_time)
    await _send(nodes, a, peer, felix, create)

    [status] = (await a.call(alice.search_v2, create["object"]["id"], resolve=True))["statuses"]
    poll = status["poll"]
    assert [option["title"] for option in poll["options"]] == ["The harbour", "The station", "The school",
                                                               "The library"]
    assert [option["votes_count"] for option in poll["options"]] == [0, 1, 0, 1]
    assert poll["multiple"] is False and poll["expired"] is False and poll["voted"] is False
    assert poll["expires_at"] == ends  # Mastodon.py reads the timestamp into a datetime

    await a.call(alice.poll_vote, poll["id"], [2])
    await nodes.settle()
    [vote] = [item for item in peer.received if item["type"] == "Create"]
    note = vote["object"]
    assert note["type"] == "Note" and note["name"] == "The school" and note["inReplyTo"] == create["object"]["id"]
    assert note["to"] == [felix.uri] and vote["actor"] == note["attributedTo"] == alice_uri(a)
    assert "content" not in note

    # Mastodon's Update after counting the vote: the same Question, new totals.
    question = copy.deepcopy(create["object"])
    question["oneOf"][2]["replies"]["totalItems"] = 1
    question["votersCount"] = 3
    await _send(nodes, a, peer, felix, {"@context": create["@context"], "type": "Update", "actor": felix.uri,
                                        "id": f"{question['id']}#updates/1", "to": create["to"],
                                        "object": question})
    seen = await a.call(alice.poll, poll["id"])
    assert [option["votes_count"] for option in seen["options"]] == [0, 1, 1, 1]
    assert seen["own_votes"] == [2]


async def test_a_vote_from_mastodon_is_counted_in_a_local_poll(nodes, peer):
    a = await live_node(nodes, "a")
    alice = await signed_in(a, "alice")
    posted = await a.call(alice.status_post, "Which colour?",
                          poll=alice.make_poll(["ochre", "teal"], expires_in=3600))
    felix = peer.add_actor("felix")
    vote = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Create", "actor": felix.uri,
            "id": f"{felix.uri}#votes/91/activity", "to": [alice_uri(a)],
            "object": {"id": f"{felix.uri}#votes/91", "type": "Note", "name": "teal",
                       "attributedTo": felix.uri, "inReplyTo": posted["uri"], "to": [alice_uri(a)]}}
    await _send(nodes, a, peer, felix, vote)
    seen = await a.call(alice.poll, posted["poll"]["id"])
    assert [option["votes_count"] for option in seen["options"]] == [0, 1]
    async with await a.session() as session:
        assert (await session.execute(select(func.count()).select_from(Post))).scalar_one() == 1  # no reply stored
    # The same vote again changes nothing; the voter hears the new counts in an Update.
    await _send(nodes, a, peer, felix, {**vote, "id": f"{felix.uri}#votes/92/activity"})
    seen = await a.call(alice.poll, posted["poll"]["id"])
    assert [option["votes_count"] for option in seen["options"]] == [0, 1]
    [counted] = [item for item in peer.received if item["type"] == "Update"][:1]
    assert counted["object"]["type"] == "Question"
    assert [item["replies"]["totalItems"] for item in counted["object"]["oneOf"]] == [0, 1]


def alice_uri(node) -> str:
    return f"{node.base_url}/users/alice"
