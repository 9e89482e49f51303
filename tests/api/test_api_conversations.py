"""Direct conversations through Mastodon.py: direct posts grouped by who takes part, unread for
the recipients, marked read, removed, the newest post that is left after a deletion, the
`direct` stream, and a conversation with an account on another node."""

import asyncio
import json

import pytest
from aiohttp import WSMsgType

from tests.api.federated import live_node, signed_in


async def _user(node, name):
    await node.create_user(name)
    return await node.password_token(name)


def _by_people(conversations) -> dict[tuple, dict]:
    return {tuple(sorted(a["acct"] for a in c["accounts"])): c for c in conversations}


async def test_conversations_group_mark_read_and_remove(node, http):
    alice, bob, carol = await _user(node, "alice"), await _user(node, "bob"), await _user(node, "carol")
    first = await node.call(alice.status_post, "@bob a secret", visibility="direct")
    reply = await node.call(bob.status_post, "@alice tell me more", visibility="direct", in_reply_to_id=first["id"])
    group = await node.call(alice.status_post, "@bob @carol all three", visibility="direct")
    await node.call(alice.status_post, "everyone can see this")

    mine = _by_people(await node.call(alice.conversations))
    assert set(mine) == {("bob",), ("bob", "carol")}
    assert mine[("bob",)]["last_status"]["id"] == reply["id"] and mine[("bob",)]["unread"] is True
    assert mine[("bob", "carol")]["last_status"]["id"] == group["id"] and mine[("bob", "carol")]["unread"] is False
    for_carol = _by_people(await node.call(carol.conversations))
    assert set(for_carol) == {("alice", "bob")} and for_carol[("alice", "bob")]["unread"] is True
    # Newest first, by the newest post.
    assert [c["last_status"]["id"] for c in await node.call(bob.conversations)] == [group["id"], reply["id"]]

    read = await node.call(alice.conversations_read, mine[("bob",)]["id"])
    assert read["unread"] is False and read["id"] == mine[("bob",)]["id"]
    await node.call(bob.status_delete, reply["id"])
    after = _by_people(await node.call(alice.conversations))
    assert after[("bob",)]["last_status"]["id"] == first["id"]

    headers = {"Authorization": f"Bearer {alice.access_token}"}
    async with http.delete(f"{node.base_url}/api/v1/conversations/{mine[('bob',)]['id']}", headers=headers) as answer:
        assert answer.status == 200 and await answer.json() == {}
    assert set(_by_people(await node.call(alice.conversations))) == {("bob", "carol")}
    async with http.post(f"{node.base_url}/api/v1/conversations/{mine[('bob',)]['id']}/read",
                         headers={"Authorization": f"Bearer {carol.access_token}"}) as answer:
        assert answer.status == 404  # not hers, and gone anyway
    again = await node.call(bob.status_post, "@alice back again", visibility="direct")
    assert _by_people(await node.call(alice.conversations))[("bob",)]["last_status"]["id"] == again["id"]


async def test_direct_stream(node, http):
    alice, bob = await _user(node, "alice"), await _user(node, "bob")
    async with http.ws_connect(f"{node.base_url}/api/v1/streaming?access_token={alice.access_token}"
                               "&stream=direct") as ws:
        await node.call(bob.status_post, "not for the direct stream")
        posted = await node.call(bob.status_post, "@alice psst", visibility="direct")
        message = await ws.receive(timeout=10)
        assert message.type == WSMsgType.TEXT
        event = json.loads(message.data)
        assert event["stream"] == ["direct"] and event["event"] == "conversation"
        payload = json.loads(event["payload"])
        assert payload["last_status"]["id"] == posted["id"] and payload["unread"] is True
        assert [a["acct"] for a in payload["accounts"]] == ["bob"]
        with pytest.raises(asyncio.TimeoutError):  # the public post never came
            await ws.receive(timeout=0.5)
    async with http.get(f"{node.base_url}/api/v1/streaming?stream=direct") as refused:
        assert refused.status == 401


async def test_conversation_across_nodes(nodes):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    await a.call(alice.search_v2, f"@bob@{b.settings.domain}", resolve=True)  # so the mention resolves
    posted = await a.call(alice.status_post, f"@bob@{b.settings.domain} only for you", visibility="direct")
    await nodes.settle()
    [conversation] = await b.call(bob.conversations)
    assert conversation["unread"] is True and conversation["last_status"]["uri"] == posted["uri"]
    assert [account["acct"] for account in conversation["accounts"]] == [f"alice@{a.settings.domain}"]
    answer = await b.call(bob.status_post, f"@alice@{a.settings.domain} got it", visibility="direct",
                          in_reply_to_id=conversation["last_status"]["id"])
    await nodes.settle()
    [mine] = await a.call(alice.conversations)
    assert mine["id"] and mine["last_status"]["uri"] == answer["uri"] and mine["unread"] is True
