"""Lists through Mastodon.py: create, rename, delete; members (followed accounts only, out
again on unfollow); the list timeline with each replies_policy; an exclusive list keeping its
members out of the home feed; the `list` stream; and a remote member across two nodes."""

import asyncio
import json

import pytest
from aiohttp import WSMsgType
from mastodon.errors import MastodonAPIError, MastodonNotFoundError

from tests.api.federated import live_node, signed_in


async def _user(node, name):
    await node.create_user(name)
    return await node.password_token(name)


async def _id(node, api) -> str:
    return (await node.call(api.me))["id"]


def _texts(statuses) -> list[str]:
    return [status["content"] for status in statuses]


async def test_list_crud_members_and_errors(node, http):
    alice, bob, carol = await _user(node, "alice"), await _user(node, "bob"), await _user(node, "carol")
    bob_id, carol_id = await _id(node, bob), await _id(node, carol)
    created = await node.call(alice.list_create, "Painters", replies_policy="followed", exclusive=True)
    assert created["title"] == "Painters" and created["replies_policy"] == "followed" and created["exclusive"] is True
    assert [row["id"] for row in await node.call(alice.lists)] == [created["id"]]
    renamed = await node.call(alice.list_update, created["id"], "Muralists", replies_policy="none")
    assert renamed["title"] == "Muralists" and renamed["replies_policy"] == "none" and renamed["exclusive"] is False
    assert (await node.call(alice.list, created["id"]))["title"] == "Muralists"

    # Only followed accounts can join; the refused request adds nobody.
    await node.call(alice.account_follow, bob_id)
    with pytest.raises(MastodonAPIError) as refused:
        await node.call(alice.list_accounts_add, created["id"], [bob_id, carol_id])
    assert refused.value.args[1] == 422 and "carol" in str(refused.value)
    assert await node.call(alice.list_accounts, created["id"]) == []
    await node.call(alice.list_accounts_add, created["id"], [bob_id])
    await node.call(alice.list_accounts_add, created["id"], [bob_id])  # again: still one member
    assert [account["acct"] for account in await node.call(alice.list_accounts, created["id"])] == ["bob"]
    assert [row["id"] for row in await node.call(alice.account_lists, bob_id)] == [created["id"]]
    assert await node.call(alice.account_lists, carol_id) == []

    # Another user cannot see, change or stream it.
    with pytest.raises(MastodonNotFoundError):
        await node.call(bob.list, created["id"])
    with pytest.raises(MastodonNotFoundError):
        await node.call(bob.timeline_list, created["id"])
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    for body in ({"title": "  "}, {"title": "x", "replies_policy": "everyone"}, {"title": "x", "exclusive": "maybe"}):
        async with http.post(f"{node.base_url}/api/v1/lists", headers=headers, json=body) as response:
            assert response.status == 422, body
            assert "error" in await response.json()
    async with http.delete(f"{node.base_url}/api/v1/lists/{created['id']}/accounts", headers=headers) as response:
        assert response.status == 422 and "account_ids" in (await response.json())["error"]
    assert [row["id"] for row in await node.call(alice.lists)] == [created["id"]]

    # An unfollow takes the account out of the list, as on Mastodon.
    await node.call(alice.account_unfollow, bob_id)
    assert await node.call(alice.list_accounts, created["id"]) == []
    await node.call(alice.list_delete, created["id"])
    assert await node.call(alice.lists) == []
    with pytest.raises(MastodonNotFoundError):
        await node.call(alice.list, created["id"])


async def test_list_timeline_replies_policy_and_exclusive(node):
    alice, bob, carol, dave = [await _user(node, name) for name in ("alice", "bob", "carol", "dave")]
    bob_id, carol_id, dave_id = await _id(node, bob), await _id(node, carol), await _id(node, dave)
    for target in (bob_id, carol_id):
        await node.call(alice.account_follow, target)
    painters = await node.call(alice.list_create, "Painters")  # replies_policy "list" by default
    await node.call(alice.list_accounts_add, painters["id"], [bob_id, carol_id])

    by_carol = await node.call(carol.status_post, "carol paints")
    by_dave = await node.call(dave.status_post, "dave paints")
    await node.call(bob.status_post, "bob paints")
    await node.call(bob.status_post, "bob answers carol", in_reply_to_id=by_carol["id"])
    await node.call(bob.status_post, "bob answers dave", in_reply_to_id=by_dave["id"])
    texts = _texts(await node.call(alice.timeline_list, painters["id"]))
    assert [t for t in texts if "answers" in t] == ["<p>bob answers carol</p>"]
    assert "<p>dave paints</p>" not in texts and "<p>bob paints</p>" in texts

    await node.call(alice.list_update, painters["id"], "Painters", replies_policy="none")
    texts = _texts(await node.call(alice.timeline_list, painters["id"]))
    assert not [t for t in texts if "answers" in t]
    await node.call(alice.account_follow, dave_id)
    await node.call(alice.list_update, painters["id"], "Painters", replies_policy="followed")
    texts = _texts(await node.call(alice.timeline_list, painters["id"]))
    assert sorted(t for t in texts if "answers" in t) == ["<p>bob answers carol</p>", "<p>bob answers dave</p>"]

    home = _texts(await node.call(alice.timeline_home))
    assert "<p>bob paints</p>" in home and "<p>dave paints</p>" in home
    await node.call(alice.list_update, painters["id"], "Painters", exclusive=True)
    home = _texts(await node.call(alice.timeline_home))
    assert "<p>dave paints</p>" in home and not [t for t in home if "bob" in t or "carol" in t]
    assert "<p>bob paints</p>" in _texts(await node.call(alice.timeline_list, painters["id"]))


async def _event(ws) -> dict:
    message = await ws.receive(timeout=10)
    assert message.type == WSMsgType.TEXT, message
    event = json.loads(message.data)
    if event.get("event") not in (None, "delete"):
        event["payload"] = json.loads(event["payload"])
    return event


async def test_list_stream_and_exclusive_user_stream(node, http):
    alice, bob, carol = await _user(node, "alice"), await _user(node, "bob"), await _user(node, "carol")
    bob_id, carol_id = await _id(node, bob), await _id(node, carol)
    await node.call(alice.account_follow, bob_id)
    await node.call(alice.account_follow, carol_id)
    painters = await node.call(alice.list_create, "Painters", exclusive=True)
    await node.call(alice.list_accounts_add, painters["id"], [bob_id])
    base = f"{node.base_url}/api/v1/streaming?access_token="
    async with http.get(f"{base}{bob.access_token}&stream=list&list={painters['id']}") as refused:
        assert refused.status == 401  # not bob's list
    async with http.ws_connect(f"{base}{alice.access_token}&stream=list&list={painters['id']}") as ws:
        await ws.send_json({"type": "subscribe", "stream": "user"})
        await ws.send_json({"type": "subscribe", "stream": "list", "list": "12345"})
        assert json.loads((await ws.receive(timeout=10)).data) == {
            "error": "Not authorized to stream this list", "status": 401}
        await asyncio.sleep(0.1)  # the subscribe messages are read before the posts are made
        posted = await node.call(bob.status_post, "bob on the list")
        event = await _event(ws)
        assert event["stream"] == ["list", painters["id"]] and event["event"] == "update"
        assert event["payload"]["id"] == posted["id"]
        by_carol = await node.call(carol.status_post, "carol at home")
        event = await _event(ws)  # bob's post never reaches alice's `user` stream: the list is exclusive
        assert event["stream"] == ["user"] and event["payload"]["id"] == by_carol["id"]
        await node.call(bob.status_delete, posted["id"])
        # A deletion goes to every stream that may have shown the post (a follower's `user` too).
        events = [await _event(ws), await _event(ws)]
        assert {"stream": ["list", painters["id"]], "event": "delete", "payload": posted["id"]} in events


async def test_remote_account_in_a_list(nodes):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    [remote_bob] = (await a.call(alice.search_v2, f"@bob@{b.settings.domain}", resolve=True))["accounts"]
    await a.call(alice.account_follow, remote_bob["id"])
    await nodes.settle()
    friends = await a.call(alice.list_create, "Far friends")
    await a.call(alice.list_accounts_add, friends["id"], [remote_bob["id"]])
    assert [acct["acct"] for acct in await a.call(alice.list_accounts, friends["id"])] == [remote_bob["acct"]]
    posted = await b.call(bob.status_post, "hello from the other node")
    await nodes.settle()
    [status] = await a.call(alice.timeline_list, friends["id"])
    assert status["uri"] == posted["uri"] and status["account"]["id"] == remote_bob["id"]
