"""The inbound path end to end: a peer signs and posts activities to a node's inbox, the node
answers 202, its worker processes them, and rows and deliveries appear."""

import json

import pytest
from sqlalchemy import func, select

from storage.models import Delivery, Favourite, Follow, InboxItem, Post

from tests.peer import Peer

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
async def peer():
    server = await Peer().start()
    yield server
    await server.close()


async def _count(node, query):
    async with node.session() as session:
        return (await session.execute(query)).scalar_one()


async def test_follow_is_accepted_and_post_reaches_home_feed(nodes, peer):
    node = await nodes.start("a")
    alice = await node.create_user("alice")
    bob = peer.add_actor("bob")
    follow = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{bob.uri}#follows/1",
              "type": "Follow", "actor": bob.uri, "object": alice.actor_uri}
    response = await peer.send(bob, f"{node.base_url}/users/alice/inbox", follow)
    assert response.status == 202
    await nodes.settle()
    assert await _count(node, select(func.count()).select_from(Follow).where(Follow.state == "accepted")) == 1
    accepts = [a for a in peer.received if a["type"] == "Accept"]
    assert len(accepts) == 1
    assert accepts[0]["object"]["id"] == follow["id"] and accepts[0]["actor"] == alice.actor_uri

    # A duplicate delivery of the same activity is accepted and processed once.
    assert (await peer.send(bob, f"{node.base_url}/inbox", follow)).status == 202
    await nodes.settle()
    assert await _count(node, select(func.count()).select_from(InboxItem)) == 1

    note = {"id": f"{bob.uri}/statuses/1", "type": "Note", "attributedTo": bob.uri, "to": [PUBLIC],
            "cc": [f"{bob.uri}/followers"], "content": "<p>hello <script>alert(1)</script></p>",
            "published": "2026-11-25T10:00:00Z",
            "attachment": [{"type": "Document", "mediaType": "image/jpeg", "url": f"{peer.base}/media/1.jpg",
                            "name": "a red fox", "blurhash": "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH",
                            "width": 800, "height": 600, "focalPoint": [0.1, -0.2]}]}
    create = {"id": f"{bob.uri}/statuses/1/activity", "type": "Create", "actor": bob.uri,
              "to": note["to"], "cc": note["cc"], "object": note}
    assert (await peer.send(bob, f"{node.base_url}/inbox", create)).status == 202
    await nodes.settle()
    async with node.session() as session:
        post = (await session.execute(select(Post).where(Post.object_uri == note["id"]))).scalar_one()
        assert post.visibility == "public"
        assert "<script>" not in post.content and "hello" in post.content
        from storage.repositories.posts import list_media

        media = (await list_media(session, [post.id]))[post.id]
        assert media[0].description == "a red fox" and media[0].width == 800 and media[0].focus_x == 0.1


async def test_forged_and_mismatched_requests_are_refused(nodes, peer):
    node = await nodes.start("a")
    alice = await node.create_user("alice")
    bob = peer.add_actor("bob")
    mallory = peer.add_actor("mallory")
    like = {"id": f"{bob.uri}#likes/1", "type": "Like", "actor": bob.uri, "object": alice.actor_uri}
    inbox = f"{node.base_url}/inbox"
    # Signed by mallory's key but claiming to be bob.
    response = await peer.send(bob, inbox, like, key_id=mallory.key_id, private_pem=mallory.private_pem)
    assert response.status == 401
    # A body changed after signing.
    tampered = await peer.send(bob, inbox, like, tamper=lambda body, headers: (body.replace(b"likes/1", b"likes/2"), headers))
    assert tampered.status == 401
    # Unsigned.
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.post(inbox, data=json.dumps(like), headers={"Content-Type": "application/activity+json"}) as r:
            assert r.status == 401
    assert await _count(node, select(func.count()).select_from(InboxItem)) == 0
    assert await _count(node, select(func.count()).select_from(Favourite)) == 0
    assert await _count(node, select(func.count()).select_from(Delivery)) == 0


async def test_replayed_requests_change_nothing(nodes, peer):
    node = await nodes.start("a")
    alice = await node.create_user("alice")
    bob = peer.add_actor("bob")
    follow = {"id": f"{bob.uri}#follows/9", "type": "Follow", "actor": bob.uri, "object": alice.actor_uri}
    captured = {}

    def keep(body, headers):
        captured["request"] = (body, dict(headers))
        return body, headers

    inbox = f"{node.base_url}/users/alice/inbox"
    assert (await peer.send(bob, inbox, follow, tamper=keep)).status == 202
    await nodes.settle()
    # The identical request sent again is a duplicate: answered, stored once, processed once.
    import aiohttp

    body, headers = captured["request"]
    async with aiohttp.ClientSession() as http:
        async with http.post(inbox, data=body, headers=headers) as response:
            assert response.status == 202
    await nodes.settle()
    assert await _count(node, select(func.count()).select_from(InboxItem)) == 1
    assert len([a for a in peer.received if a["type"] == "Accept"]) == 1

    # A request signed two hours ago is refused even with a fresh activity id.
    from email.utils import formatdate
    import time

    stale = dict(follow, id=f"{bob.uri}#follows/10")

    def backdate(body, headers):
        from activitypub.signatures import sign_request

        old = {"Content-Type": "application/activity+json", "Date": formatdate(time.time() - 7200, usegmt=True)}
        return body, sign_request("POST", inbox, old, body, bob.key_id, bob.private_pem)

    assert (await peer.send(bob, inbox, stale, tamper=backdate)).status == 401
    assert await _count(node, select(func.count()).select_from(InboxItem)) == 1
