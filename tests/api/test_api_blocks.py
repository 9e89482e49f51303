"""Blocks and mutes on one node through the real Mastodon.py client: the relationship fields,
follows ended both ways, the blocked account refused (follow, like, boost, reply, quote) and
both sides hidden from each other's timelines, notifications, threads and search; mutes hide
without refusing, for a while when asked."""

import pytest
from mastodon.errors import MastodonAPIError, MastodonNotFoundError
from sqlalchemy import func, select

from storage.models import Block, Follow, Mute


async def _pair(node):
    await node.create_user("alice")
    await node.create_user("bob")
    alice, bob = await node.password_token("alice"), await node.password_token("bob")
    return alice, bob, (await node.call(alice.me))["id"], (await node.call(bob.me))["id"]


async def _count(node, model) -> int:
    async with await node.session() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_block_ends_follows_refuses_and_hides_both_ways(node):
    alice, bob, alice_id, bob_id = await _pair(node)
    await node.call(alice.account_follow, bob_id)
    await node.call(bob.account_follow, alice_id)
    post = await node.call(alice.status_post, "a mural at dusk")
    await node.call(bob.status_favourite, post["id"])

    relationship = await node.call(alice.account_block, bob_id)
    assert relationship["blocking"] is True and relationship["following"] is False
    assert relationship["followed_by"] is False
    [seen_by_bob] = await node.call(bob.account_relationships, [alice_id])
    assert seen_by_bob["blocked_by"] is True and seen_by_bob["blocking"] is False
    assert await _count(node, Follow) == 0

    # Refused: following again, liking, boosting, replying to and quoting her posts.
    with pytest.raises(MastodonAPIError) as refused:
        await node.call(bob.account_follow, alice_id)
    assert refused.value.args[1] == 403
    for attempt in (bob.status_favourite, bob.status_reblog, bob.status):
        with pytest.raises(MastodonNotFoundError):
            await node.call(attempt, post["id"])
    with pytest.raises(MastodonNotFoundError):
        await node.call(bob.status_post, "nice", in_reply_to_id=post["id"])
    assert await _count(node, Follow) == 0

    # Hidden both ways: home and public timelines, notifications, search.
    bob_post = await node.call(bob.status_post, "hello @alice")
    assert bob_post["id"] not in [s["id"] for s in await node.call(alice.timeline_public)]
    assert post["id"] not in [s["id"] for s in await node.call(bob.timeline_public)]
    assert await node.call(alice.notifications) == []
    found = await node.call(bob.account_search, "alice")
    assert alice_id not in [account["id"] for account in found]
    assert [account["id"] for account in await node.call(alice.blocks)] == [bob_id]
    assert await node.call(bob.account_statuses, alice_id) == []  # her profile shows him nothing

    relationship = await node.call(alice.account_unblock, bob_id)
    assert relationship["blocking"] is False and await _count(node, Block) == 0
    assert post["id"] in [s["id"] for s in await node.call(bob.timeline_public)]
    await node.call(bob.account_follow, alice_id)
    assert await _count(node, Follow) == 1


async def test_blocker_is_hidden_from_a_thread(node):
    alice, bob, alice_id, bob_id = await _pair(node)
    root = await node.call(bob.status_post, "the wall before")
    reply = await node.call(alice.status_post, "and after", in_reply_to_id=root["id"])
    context = await node.call(bob.status_context, root["id"])
    assert [s["id"] for s in context["descendants"]] == [reply["id"]]
    await node.call(bob.account_block, alice_id)
    assert (await node.call(bob.status_context, root["id"]))["descendants"] == []


async def test_mute_hides_without_refusing_and_can_spare_notifications(node):
    alice, bob, alice_id, bob_id = await _pair(node)
    await node.call(alice.account_follow, bob_id)
    chatty = await node.call(bob.status_post, "a post every minute")
    assert chatty["id"] in [s["id"] for s in await node.call(alice.timeline_home)]

    relationship = await node.call(alice.account_mute, bob_id, notifications=False)
    assert relationship["muting"] is True and relationship["muting_notifications"] is False
    assert relationship["following"] is True  # a mute ends nothing
    assert chatty["id"] not in [s["id"] for s in await node.call(alice.timeline_home)]
    own = await node.call(alice.status_post, "mine")
    await node.call(bob.status_favourite, own["id"])  # a muted account may still act
    assert [n["type"] for n in await node.call(alice.notifications)] == ["favourite"]  # notifications spared
    assert [account["id"] for account in await node.call(alice.mutes)] == [bob_id]

    relationship = await node.call(alice.account_mute, bob_id)  # again, notifications too now
    assert relationship["muting_notifications"] is True
    assert await node.call(alice.notifications) == []
    assert await _count(node, Mute) == 1
    await node.call(alice.account_unmute, bob_id)
    assert chatty["id"] in [s["id"] for s in await node.call(alice.timeline_home)]


async def test_a_mute_with_a_duration_ends_by_itself(node):
    alice, bob, alice_id, bob_id = await _pair(node)
    await node.call(alice.account_mute, bob_id, duration=3600)
    async with await node.session() as session:
        row = (await session.execute(select(Mute))).scalar_one()
        assert row.expires_at is not None
        row.expires_at = row.expires_at.replace(year=2000)
        await session.commit()
    [relationship] = await node.call(alice.account_relationships, [bob_id])
    assert relationship["muting"] is False
    assert await node.call(alice.mutes) == []


async def test_bad_block_and_mute_input_changes_nothing(node, http):
    alice, bob, alice_id, bob_id = await _pair(node)
    with pytest.raises(MastodonAPIError) as own:
        await node.call(alice.account_block, alice_id)
    assert own.value.args[1] == 422
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    for body in ({"duration": "soon"}, {"duration": -5}, {"notifications": "perhaps"}):
        async with http.post(f"{node.base_url}/api/v1/accounts/{bob_id}/mute", headers=headers, json=body) as response:
            assert response.status == 422, body
            assert next(iter(body)) in (await response.json())["error"]
    for path in (f"/api/v1/accounts/99999999999999999999/block", "/api/v1/accounts/123/mute"):
        async with http.post(node.base_url + path, headers=headers) as response:
            assert response.status == 404
    assert await _count(node, Block) == 0 and await _count(node, Mute) == 0
