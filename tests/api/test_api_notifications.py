"""Notifications between two local users through Mastodon.py: favourite, reblog, mention and
follow, filtering by type, paging, one by id, dismiss and clear."""

import pytest
from mastodon.errors import MastodonNotFoundError

from node import actions, context
from storage.models import Account


@pytest.fixture
async def pair(node):
    await node.create_user("alice")
    await node.create_user("bob")
    return await node.password_token("alice"), await node.password_token("bob")


async def _bob_follows_alice(node) -> None:
    async with await node.session() as session:
        by_name = {}
        for name in ("alice", "bob"):
            row = (await session.execute(Account.__table__.select().where(Account.username == name))).first()
            by_name[name] = await session.get(Account, row.id)
        await actions.follow(session, node.app[context.SETTINGS], by_name["bob"], by_name["alice"])
        await session.commit()


async def test_reactions_and_mentions_notify(node, pair):
    alice, bob = pair
    posted = await node.call(alice.status_post, "look at this")
    await node.call(bob.status_favourite, posted["id"])
    await node.call(bob.status_reblog, posted["id"])
    mention = await node.call(bob.status_post, "@alice hello there")
    await _bob_follows_alice(node)
    seen = await node.call(alice.notifications)
    assert [n["type"] for n in seen] == ["follow", "mention", "reblog", "favourite"]
    assert all(n["account"]["username"] == "bob" for n in seen)
    assert seen[1]["status"]["id"] == mention["id"]
    assert seen[2]["status"]["id"] == posted["id"] and seen[3]["status"]["id"] == posted["id"]
    assert seen[0].get("status") is None
    # Nobody is notified of their own actions.
    await node.call(alice.status_favourite, posted["id"])
    assert len(await node.call(alice.notifications)) == 4
    assert await node.call(bob.notifications) == []


async def test_type_filters_and_paging(node, pair):
    alice, bob = pair
    posted = await node.call(alice.status_post, "filter me")
    await node.call(bob.status_favourite, posted["id"])
    await node.call(bob.status_reblog, posted["id"])
    await node.call(bob.status_post, "@alice one")
    assert [n["type"] for n in await node.call(alice.notifications, types=["favourite"])] == ["favourite"]
    kept = await node.call(alice.notifications, exclude_types=["favourite", "reblog"])
    assert [n["type"] for n in kept] == ["mention"]
    first = await node.call(alice.notifications, limit=2)
    assert [n["type"] for n in first] == ["mention", "reblog"]
    rest = await node.call(alice.fetch_next, first)
    assert [n["type"] for n in rest] == ["favourite"]
    newer = await node.call(alice.notifications, min_id=rest[0]["id"], limit=1)
    assert [n["type"] for n in newer] == ["reblog"]


async def test_get_dismiss_and_clear(node, pair, http):
    alice, bob = pair
    posted = await node.call(alice.status_post, "dismiss me")
    await node.call(bob.status_favourite, posted["id"])
    await node.call(bob.status_post, "@alice ping")
    mention, favourite = await node.call(alice.notifications)
    assert (await node.call(alice.notifications, id=favourite["id"]))["type"] == "favourite"
    with pytest.raises(MastodonNotFoundError):
        await node.call(bob.notifications, id=favourite["id"])
    with pytest.raises(MastodonNotFoundError):
        await node.call(bob.notifications_dismiss, favourite["id"])
    await node.call(alice.notifications_dismiss, favourite["id"])
    assert [n["id"] for n in await node.call(alice.notifications)] == [mention["id"]]
    await node.call(alice.notifications_clear)
    assert await node.call(alice.notifications) == []
    async with http.get(f"{node.base_url}/api/v1/notifications") as response:
        assert response.status == 401


async def test_deleted_post_takes_its_notifications_along(node, pair):
    alice, bob = pair
    mention = await node.call(bob.status_post, "@alice soon gone")
    assert len(await node.call(alice.notifications)) == 1
    await node.call(bob.status_delete, mention["id"])
    assert await node.call(alice.notifications) == []
