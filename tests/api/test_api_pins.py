"""Pinned posts: pin and unpin through Mastodon.py (own posts only, no direct messages, at
most five), `pinned=true` on the profile, the `featured` collection served with the pinned
Notes, and across two nodes: a pin reaching a follower's server as Add and leaving as
Remove, and the pins of an actor met later read from its featured collection."""

import pytest
from mastodon import MastodonAPIError, MastodonNotFoundError

from tests.api.federated import live_node, signed_in

AS2 = "application/activity+json"


async def test_pin_and_unpin_own_posts_on_one_node(nodes, http):
    a = await live_node(nodes, "a")
    alice, bob = await signed_in(a, "alice"), await signed_in(a, "bob")
    me = await a.call(alice.me)
    first = await a.call(alice.status_post, "first mural")
    second = await a.call(alice.status_post, "second mural")
    pinned = await a.call(alice.status_pin, first["id"])
    assert pinned["pinned"] is True
    assert (await a.call(alice.status, second["id"]))["pinned"] is False
    listed = await a.call(alice.account_statuses, me["id"], pinned=True)
    assert [status["id"] for status in listed] == [first["id"]]
    assert [s["id"] for s in await a.call(bob.account_statuses, me["id"], pinned=True)] == [first["id"]]

    async with http.get(f"{a.base_url}/users/alice/collections/featured", headers={"Accept": AS2}) as response:
        featured = await response.json()
    assert featured["totalItems"] == 1 and featured["orderedItems"][0]["id"] == first["uri"]

    secret = await a.call(alice.status_post, "just for bob", visibility="direct")
    with pytest.raises(MastodonAPIError, match="direct messages"):
        await a.call(alice.status_pin, secret["id"])
    with pytest.raises(MastodonNotFoundError):
        await a.call(bob.status_pin, second["id"])
    for number in range(4):
        await a.call(alice.status_pin, (await a.call(alice.status_post, f"mural {number}"))["id"])
    with pytest.raises(MastodonAPIError, match="at most 5"):
        await a.call(alice.status_pin, second["id"])

    unpinned = await a.call(alice.status_unpin, first["id"])
    assert unpinned["pinned"] is False
    assert first["id"] not in [s["id"] for s in await a.call(alice.account_statuses, me["id"], pinned=True)]


async def test_pins_cross_to_a_follower_and_are_read_from_a_new_actor(nodes):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, carol, bob = await signed_in(a, "alice"), await signed_in(a, "carol"), await signed_in(b, "bob")
    [alice_on_b] = (await b.call(bob.search_v2, f"@alice@{a.settings.domain}", resolve=True))["accounts"]
    await b.call(bob.account_follow, alice_on_b["id"])
    await nodes.settle()
    post = await a.call(alice.status_post, "the harbour wall, finished")
    await nodes.settle()
    await a.call(alice.status_pin, post["id"])
    await nodes.settle()  # Add to the featured collection reaches B
    [seen] = await b.call(bob.account_statuses, alice_on_b["id"], pinned=True)
    assert seen["uri"] == post["uri"]
    await a.call(alice.status_unpin, post["id"])
    await nodes.settle()  # Remove
    assert await b.call(bob.account_statuses, alice_on_b["id"], pinned=True) == []

    # carol pinned before B ever heard of her: B reads her featured collection when it meets her.
    carols = await a.call(carol.status_post, "carol's best wall")
    await a.call(carol.status_pin, carols["id"])
    [carol_on_b] = (await b.call(bob.search_v2, f"@carol@{a.settings.domain}", resolve=True))["accounts"]
    [read] = await b.call(bob.account_statuses, carol_on_b["id"], pinned=True)
    assert read["uri"] == carols["uri"] and read["content"] == "<p>carol's best wall</p>"
