"""Quote posts on one node through Mastodon.py: the quoting user's policy choices (per post,
per user, changed later), the Status's quote parts, and who hears of what."""

import pytest
from mastodon.errors import MastodonAPIError


@pytest.fixture
async def pair(node):
    await node.create_user("alice")
    await node.create_user("bob")
    return await node.password_token("alice"), await node.password_token("bob")


async def test_a_local_quote_is_accepted_counted_and_listed(node, pair):
    alice, bob = pair
    original = await node.call(alice.status_post, "quote me")
    quoting = await node.call(bob.status_post, "nice one", quoted_status_id=original["id"])
    assert quoting["quote"]["state"] == "accepted" and quoting["quote"]["quoted_status"]["id"] == original["id"]
    assert quoting["quote"]["quoted_status"]["quote"] is None
    again = await node.call(alice.status, original["id"])
    assert again["quotes_count"] == 1
    assert [s["id"] for s in await node.call(alice.status_quotes, original["id"])] == [quoting["id"]]
    assert [n["type"] for n in await node.call(alice.notifications)] == ["quote"]

    # An edit of the quoted post tells those who quote it.
    await node.call(alice.status_update, original["id"], "quote me, edited")
    [update] = await node.call(bob.notifications)
    assert update["type"] == "quoted_update" and update["status"]["id"] == quoting["id"]


async def test_policies_per_post_per_user_and_later(node, pair):
    alice, bob = pair
    mine = await node.call(alice.status_post, "followers may quote", quote_approval_policy="followers")
    assert mine["quote_approval"]["automatic"] == ["followers"]
    seen = await node.call(bob.status, mine["id"])
    assert seen["quote_approval"]["current_user"] == "denied"
    with pytest.raises(MastodonAPIError):
        await node.call(bob.status_post, "let me", quoted_status_id=mine["id"])
    await node.call(bob.account_follow, (await node.call(alice.me))["id"])
    assert (await node.call(bob.status, mine["id"]))["quote_approval"]["current_user"] == "automatic"
    assert (await node.call(bob.status_post, "now I may", quoted_status_id=mine["id"]))["quote"]["state"] == "accepted"

    # A followers-only post is nobody else's to quote, whatever its policy says.
    private = await node.call(alice.status_post, "between us", visibility="private", quote_approval_policy="public")
    assert private["quote_approval"]["automatic"] == []

    # The user's default applies to new posts; a post's policy can change later.
    await node.call(alice.account_update_credentials, default_quote_policy="nobody")
    assert (await node.call(alice.me))["source"]["quote_policy"] == "nobody"
    assert (await node.call(alice.preferences))["posting:default:quote_policy"] == "nobody"
    later = await node.call(alice.status_post, "mine alone")
    assert later["quote_approval"]["automatic"] == []
    opened = await node.call(alice.status_update_quote_approval_policy, later["id"], "public")
    assert opened["quote_approval"]["automatic"] == ["public"]
    with pytest.raises(MastodonAPIError):
        await node.call(alice.status_update_quote_approval_policy, later["id"], "everyone")
