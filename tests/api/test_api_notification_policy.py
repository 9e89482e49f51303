"""The notification policy and notification requests (Mastodon 4.3) through Mastodon.py:
private mentions from strangers kept aside by default, `filter` and `drop` for people the
user does not follow, the policy's summary, requests accepted and dismissed, `include_filtered`,
the unread count and the notification stream leaving kept-aside notifications out, and v1's
boolean policy."""

import json

import pytest
from aiohttp import WSMsgType
from mastodon.errors import MastodonNotFoundError


async def _with_filtered(node, api, http) -> list[dict]:
    """GET /api/v1/notifications?include_filtered=true (Mastodon.py's v1 call lacks the parameter)."""
    async with http.get(f"{node.base_url}/api/v1/notifications?include_filtered=true",
                        headers={"Authorization": f"Bearer {api.access_token}"}) as response:
        assert response.status == 200
        return await response.json()


async def _user(node, name):
    await node.create_user(name)
    return await node.password_token(name)


def _types(notifications) -> list[str]:
    return sorted(n["type"] for n in notifications)


async def test_private_mentions_from_strangers_become_requests(node, http):
    alice, bob, carol = await _user(node, "alice"), await _user(node, "bob"), await _user(node, "carol")
    bob_id, carol_id = (await node.call(bob.me))["id"], (await node.call(carol.me))["id"]
    await node.call(alice.account_follow, carol_id)
    policy = await node.call(alice.notifications_policy)
    assert policy["for_private_mentions"] == "filter" and policy["for_not_following"] == "accept"
    secret = await node.call(bob.status_post, "@alice psst", visibility="direct")
    await node.call(bob.status_post, "@alice hello in public")
    await node.call(carol.status_post, "@alice from a friend", visibility="direct")

    shown = await node.call(alice.notifications)
    # The public mention from bob and the private one from carol, whom alice follows.
    assert {(n["account"]["id"], n["status"]["visibility"]) for n in shown} == {(bob_id, "public"),
                                                                                (carol_id, "direct")}
    policy = await node.call(alice.notifications_policy)
    assert policy["summary"] == {"pending_requests_count": 1, "pending_notifications_count": 1}
    [pending] = await node.call(alice.notification_requests)
    assert pending["id"] == bob_id and pending["account"]["id"] == bob_id
    assert pending["notifications_count"] == "1" and pending["last_status"]["id"] == secret["id"]
    assert len(await _with_filtered(node, alice, http)) == 3

    await node.call(alice.accept_notification_request, pending["id"])
    assert len(await node.call(alice.notifications)) == 3 and await node.call(alice.notification_requests) == []
    await node.call(bob.status_post, "@alice again", visibility="direct")  # accepted senders stay accepted
    assert len(await node.call(alice.notifications)) == 4
    with pytest.raises(MastodonNotFoundError):
        await node.call(alice.notification_request, pending["id"])


async def test_filter_and_drop_people_not_followed(node, http):
    alice, bob, carol = await _user(node, "alice"), await _user(node, "bob"), await _user(node, "carol")
    alice_id = (await node.call(alice.me))["id"]
    updated = await node.call(alice.update_notifications_policy, for_not_following="filter",
                              for_new_accounts="accept")
    assert updated["for_not_following"] == "filter"
    async with http.get(f"{node.base_url}/api/v1/streaming?access_token={alice.access_token}"
                        "&stream=user:notification") as refused:
        assert refused.status in (400, 426)  # a plain GET is no WebSocket upgrade
    async with http.ws_connect(f"{node.base_url}/api/v1/streaming?access_token={alice.access_token}"
                               "&stream=user:notification") as ws:
        await node.call(bob.account_follow, alice_id)
        await node.call(carol.account_follow, alice_id)
        await node.call(alice.account_follow, (await node.call(carol.me))["id"])
        posted = await node.call(carol.status_post, "@alice now we follow each other")
        message = await ws.receive(timeout=10)
        assert message.type == WSMsgType.TEXT
        event = json.loads(json.loads(message.data)["payload"])
        assert event["type"] == "mention" and event["status"]["id"] == posted["id"]  # no follow events first
    # The policy is read when notifications are: carol, followed back since, is no stranger now.
    assert _types(await node.call(alice.notifications)) == ["follow", "mention"]
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    async with http.get(f"{node.base_url}/api/v1/notifications/unread_count", headers=headers) as response:
        assert await response.json() == {"count": 2}
    assert [r["account"]["acct"] for r in await node.call(alice.notification_requests)] == ["bob"]

    await node.call(alice.dismiss_multiple_notification_requests, [r["id"] for r in
                                                                   await node.call(alice.notification_requests)])
    assert await node.call(alice.notification_requests) == []
    assert _types(await _with_filtered(node, alice, http)) == ["follow", "mention"]  # bob's follow is gone

    await node.call(alice.update_notifications_policy, for_not_following="drop")
    await node.call(bob.status_post, "@alice dropped")
    assert _types(await _with_filtered(node, alice, http)) == ["follow", "mention"]
    assert await node.call(alice.notification_requests) == []

    async with http.patch(f"{node.base_url}/api/v2/notifications/policy", headers=headers,
                          json={"for_not_followers": "maybe"}) as response:
        assert response.status == 422 and "for_not_followers" in (await response.json())["error"]
    async with http.put(f"{node.base_url}/api/v1/notifications/policy", headers=headers,
                        json={"filter_not_following": False}) as response:
        v1 = await response.json()
        assert v1["filter_not_following"] is False and v1["filter_private_mentions"] is True
    assert len(await node.call(alice.notifications)) == 3  # the dropped mention is back: accepted now
