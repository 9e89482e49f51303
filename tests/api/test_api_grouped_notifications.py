"""Grouped notifications (Mastodon 4.3) through Mastodon.py and plain HTTP: favourites and
boosts of one post and follows fold into groups with their count and latest senders; other
types stay one a group; types / exclude_types / grouped_types; one group by key, its
accounts, dismissing it; the unread count of groups; paging by notification ids."""

import pytest
from mastodon.errors import MastodonAPIError


async def _user(node, name):
    await node.create_user(name)
    return await node.password_token(name)


async def _scene(node):
    """alice posts; bob, carol and dave favourite it, bob and carol boost it, all follow her,
    and dave mentions her. Answers (alice, post, the others' ids by name)."""
    alice = await _user(node, "alice")
    others = {name: await _user(node, name) for name in ("bob", "carol", "dave")}
    post = await node.call(alice.status_post, "the harbour mural")
    alice_id = (await node.call(alice.me))["id"]
    for name, api in others.items():
        await node.call(api.status_favourite, post["id"])
        await node.call(api.account_follow, alice_id)
        if name != "dave":
            await node.call(api.status_reblog, post["id"])
    mention = await node.call(others["dave"].status_post, "@alice lovely")
    ids = {name: (await node.call(api.me))["id"] for name, api in others.items()}
    return alice, post, mention, ids


async def test_groups_counts_and_samples(node):
    alice, post, mention, ids = await _scene(node)
    result = await node.call(alice.grouped_notifications)
    groups = {group["type"]: group for group in result["notification_groups"]}
    assert set(groups) == {"favourite", "reblog", "follow", "mention"}
    assert groups["favourite"]["notifications_count"] == 3 and groups["favourite"]["status_id"] == post["id"]
    assert groups["favourite"]["sample_account_ids"] == [ids["dave"], ids["carol"], ids["bob"]]
    assert groups["reblog"]["notifications_count"] == 2 and groups["follow"]["notifications_count"] == 3
    assert groups["mention"]["group_key"] == f"ungrouped-{groups['mention']['most_recent_notification_id']}"
    assert groups["mention"]["status_id"] == mention["id"]
    assert {account["id"] for account in result["accounts"]} == set(ids.values())
    assert {status["id"] for status in result["statuses"]} == {post["id"], mention["id"]}
    # Newest group first, and the v1 list carries the same keys.
    assert result["notification_groups"][0]["type"] == "mention"
    v1_keys = {n["group_key"] for n in await node.call(alice.notifications)}
    assert v1_keys == {group["group_key"] for group in result["notification_groups"]}


async def test_type_filters_group_endpoints_and_unread(node, http):
    alice, post, _mention, ids = await _scene(node)
    only = await node.call(alice.grouped_notifications, types=["favourite", "follow"])
    assert sorted(g["type"] for g in only["notification_groups"]) == ["favourite", "follow"]
    without = await node.call(alice.grouped_notifications, exclude_types=["follow", "mention"])
    assert sorted(g["type"] for g in without["notification_groups"]) == ["favourite", "reblog"]
    flat = await node.call(alice.grouped_notifications, grouped_types=["reblog"], types=["favourite", "reblog"])
    assert sorted(g["type"] for g in flat["notification_groups"]) == ["favourite"] * 3 + ["reblog"]

    headers = {"Authorization": f"Bearer {alice.access_token}"}
    favourites = next(g for g in only["notification_groups"] if g["type"] == "favourite")
    base = f"{node.base_url}/api/v2/notifications"
    async with http.get(f"{base}/{favourites['group_key']}", headers=headers) as response:
        body = await response.json()
        assert response.status == 200 and body["notification_groups"][0]["notifications_count"] == 3
    async with http.get(f"{base}/{favourites['group_key']}/accounts", headers=headers) as response:
        assert [a["id"] for a in await response.json()] == [ids["dave"], ids["carol"], ids["bob"]]
    async with http.get(f"{base}/unread_count", headers=headers) as response:
        assert await response.json() == {"count": 4}
    async with http.get(f"{base}/unread_count?limit=2", headers=headers) as response:
        assert await response.json() == {"count": 2}
    async with http.post(f"{base}/{favourites['group_key']}/dismiss", headers=headers) as response:
        assert response.status == 200
    assert not [n for n in await node.call(alice.notifications) if n["type"] == "favourite"]
    for bad in ("favourite-1-99999999999", "ungrouped-99999999999999999999", "follow-1"):
        async with http.get(f"{base}/{bad}", headers=headers) as response:
            assert response.status == 404, bad
    with pytest.raises(MastodonAPIError) as refused:
        await node.call(alice.grouped_notifications, account_id="abc")
    assert refused.value.args[1] == 400 and "account_id" in str(refused.value)


async def test_paging_groups(node):
    alice, _post, _mention, _ids = await _scene(node)
    first = await node.call(alice.grouped_notifications, limit=2)
    assert [g["type"] for g in first["notification_groups"]] == ["mention", "follow"]
    follows = first["notification_groups"][1]
    assert follows["notifications_count"] == 3 and follows["page_min_id"] == follows["page_max_id"]
    rest = await node.call(alice.fetch_next, first)
    # The follow group goes on in the next page (page_min_id / page_max_id say where), and
    # no notification between the pages is skipped.
    assert [g["type"] for g in rest["notification_groups"]] == ["favourite", "reblog"]
    last = await node.call(alice.fetch_next, rest)
    assert [g["type"] for g in last["notification_groups"]][0] == "follow"
    seen = [first, rest, last]
    while seen[-1]["notification_groups"]:
        seen.append(await node.call(alice.fetch_next, seen[-1]) or {"notification_groups": []})
    counted = [(int(g["page_max_id"]), int(g["page_min_id"])) for page in seen for g in page["notification_groups"]]
    assert len(counted) == len({key for key in counted})  # no group part is answered twice
