"""A follow, an image post, a favourite and a boost across two nodes, driven end to end through
the real Mastodon.py client: alice signs in on node A, bob on node B, and every effect is read
back through the other node's client API. Also pages a home timeline filled over federation
with `limit`, `fetch_next` (max_id) and `fetch_previous` (min_id)."""

import io

from PIL import Image

from tests.api.federated import live_node, signed_in


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((96, 64)).convert("RGB").save(out, "PNG")
    return out.getvalue()


async def _alice_follows_bob(nodes):
    """Nodes A and B, alice on A following bob on B (accepted); answers (a, b, alice, bob, bob's id on A)."""
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    found = await a.call(alice.search_v2, f"@bob@{b.settings.domain}", resolve=True)
    [remote_bob] = found["accounts"]
    assert remote_bob["acct"] == f"bob@{b.settings.domain}"
    await a.call(alice.account_follow, remote_bob["id"])
    await nodes.settle()  # the Follow goes to B, the Accept comes back
    [relationship] = await a.call(alice.account_relationships, [remote_bob["id"]])
    assert relationship["following"] is True and relationship["requested"] is False
    return a, b, alice, bob, remote_bob["id"]


async def _notifications_from(node, client, kind: str) -> list[dict]:
    return [item for item in await node.call(client.notifications, types=[kind])]


async def test_image_post_favourite_boost_and_unfavourite_across_nodes(nodes):
    a, b, alice, bob, bob_on_a = await _alice_follows_bob(nodes)
    media = await b.call(bob.media_post, png_bytes(), mime_type="image/png", description="a grey ramp")
    posted = await b.call(bob.status_post, "fresh paint on the harbour wall", media_ids=[media["id"]])
    await nodes.settle()

    [status] = await a.call(alice.timeline_home)
    assert status["uri"] == posted["uri"] and status["account"]["id"] == bob_on_a
    [image] = status["media_attachments"]
    assert image["type"] == "image" and image["description"] == "a grey ramp"
    assert image["url"].startswith(b.base_url + "/media/")  # the remote copy points at B's file

    await a.call(alice.status_favourite, status["id"])
    boost = await a.call(alice.status_reblog, status["id"])
    assert boost["reblog"]["id"] == status["id"]
    await nodes.settle()

    seen_by_bob = await b.call(bob.status, posted["id"])
    assert seen_by_bob["favourites_count"] == 1 and seen_by_bob["reblogs_count"] == 1
    alice_acct = f"alice@{a.settings.domain}"
    [favourite] = await _notifications_from(b, bob, "favourite")
    [reblog] = await _notifications_from(b, bob, "reblog")
    for notification in (favourite, reblog):
        assert notification["account"]["acct"] == alice_acct
        assert notification["status"]["id"] == posted["id"]

    await a.call(alice.status_unfavourite, status["id"])
    await nodes.settle()  # the Undo of the Like reaches B
    seen_by_bob = await b.call(bob.status, posted["id"])
    assert seen_by_bob["favourites_count"] == 0 and seen_by_bob["reblogs_count"] == 1


async def test_home_timeline_pages_with_max_id_and_min_id(nodes):
    a, b, alice, bob, _bob_on_a = await _alice_follows_bob(nodes)
    for number in range(7):
        await b.call(bob.status_post, f"mural number {number}")
        # One at a time: deliveries are sent concurrently and a remote post's id on A is minted
        # when it arrives, so posts delivered together may be listed out of publishing order.
        await nodes.settle()
    texts = [f"<p>mural number {number}</p>" for number in reversed(range(7))]  # newest first

    first = await a.call(alice.timeline_home, limit=3)
    assert [status["content"] for status in first] == texts[:3]
    second = await a.call(alice.fetch_next, first)  # max_id: the three older than the first page
    assert [status["content"] for status in second] == texts[3:6]
    third = await a.call(alice.fetch_next, second)
    assert [status["content"] for status in third] == texts[6:]
    # min_id from the second page: the three just above its newest item, still newest first.
    back = await a.call(alice.fetch_previous, second)
    assert [status["content"] for status in back] == texts[:3]
    # From the first page there is nothing newer until bob posts again.
    assert not await a.call(alice.fetch_previous, first)
    await b.call(bob.status_post, "mural number 7")
    await nodes.settle()
    newer = await a.call(alice.fetch_previous, first)
    assert [status["content"] for status in newer] == ["<p>mural number 7</p>"]
