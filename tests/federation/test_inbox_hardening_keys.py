"""Issue 11, key refresh on failure: a sender of bad signatures cannot make the node fetch a
third server's actor once per request. An actor we know is fetched again at most once per
KEY_REFRESH_SECONDS, and a key id that could not be resolved is remembered as unknown for
UNKNOWN_KEY_SECONDS. The counts are the fetches the peer's endpoints receive."""

from collections import Counter

import pytest
from aiohttp import web

from activitypub import key_lookup

from tests.peer import Peer

ROUNDS = 30


class CountingPeer(Peer):
    """A Peer that counts the GETs of its actor and object documents, by path."""

    def __init__(self) -> None:
        super().__init__()
        self.fetches: Counter = Counter()

    async def _actor(self, request: web.Request) -> web.Response:
        self.fetches[request.path] += 1
        return await super()._actor(request)

    async def _object(self, request: web.Request) -> web.Response:
        self.fetches[request.path] += 1
        return await super()._object(request)


@pytest.fixture
async def peer():
    server = await CountingPeer().start()
    yield server
    await server.close()


def like(actor_uri: str, n: int) -> dict:
    return {"id": f"{actor_uri}#likes/{n}", "type": "Like", "actor": actor_uri, "object": actor_uri}


async def test_thirty_forged_requests_fetch_a_known_actor_once_more(nodes, peer, monkeypatch):
    node = await nodes.start("a")
    bob, mallory = peer.add_actor("bob"), peer.add_actor("mallory")
    inbox = f"{node.base_url}/inbox"
    assert (await peer.send(bob, inbox, like(bob.uri, 0))).status == 202
    assert peer.fetches["/users/bob"] == 1
    # Signed with mallory's key under bob's key id: every one fails verification.
    for n in range(1, ROUNDS + 1):
        response = await peer.send(bob, inbox, like(bob.uri, n), private_pem=mallory.private_pem)
        assert response.status == 401
    # Before: one refresh per request (31). Now: the first failure refreshes, the rest wait.
    assert peer.fetches["/users/bob"] == 2
    assert peer.fetches["/users/mallory"] == 0
    # Once the interval has passed (lowered here instead of waited for), one failure may
    # refresh again: rotation is still picked up, just not on every forgery.
    monkeypatch.setattr(key_lookup, "KEY_REFRESH_SECONDS", 0.0)
    assert (await peer.send(bob, inbox, like(bob.uri, 99), private_pem=mallory.private_pem)).status == 401
    assert peer.fetches["/users/bob"] == 3


async def test_a_rotated_key_is_fetched_once_the_interval_has_passed(nodes, peer, monkeypatch):
    node = await nodes.start("a")
    bob, mallory = peer.add_actor("bob"), peer.add_actor("mallory")
    inbox = f"{node.base_url}/inbox"
    assert (await peer.send(bob, inbox, like(bob.uri, 1))).status == 202
    assert (await peer.send(bob, inbox, like(bob.uri, 2), private_pem=mallory.private_pem)).status == 401
    assert peer.fetches["/users/bob"] == 2
    rotated = peer.add_actor("bob")  # same actor, a new key pair
    assert (await peer.send(rotated, inbox, like(bob.uri, 3))).status == 401  # refreshed moments ago
    assert peer.fetches["/users/bob"] == 2
    monkeypatch.setattr(key_lookup, "KEY_REFRESH_SECONDS", 0.0)
    assert (await peer.send(rotated, inbox, like(bob.uri, 4))).status == 202
    assert peer.fetches["/users/bob"] == 3


async def test_fragments_of_a_known_actor_share_its_refresh(nodes, peer):
    node = await nodes.start("a")
    bob = peer.add_actor("bob")
    inbox = f"{node.base_url}/inbox"
    assert (await peer.send(bob, inbox, like(bob.uri, 0))).status == 202
    for n in range(1, ROUNDS + 1):
        response = await peer.send(bob, inbox, like(bob.uri, n), key_id=f"{bob.uri}#key-{n}")
        assert response.status == 401
    assert peer.fetches["/users/bob"] == 2


@pytest.mark.parametrize("path", ["/users/ghost", "/notes/1"], ids=["404", "not an actor"])
async def test_unknown_key_ids_are_remembered(nodes, peer, monkeypatch, path):
    node = await nodes.start("a")
    inbox = f"{node.base_url}/inbox"
    peer.objects[f"{peer.base}/notes/1"] = {"id": f"{peer.base}/notes/1", "type": "Note", "content": "hi"}
    signer = peer.add_actor("signer")  # any key: the key id is what leads nowhere
    key_ids = [f"{peer.base}{path}#main-key", f"{peer.base}{path}#other", f"{peer.base}{path}"]
    for n in range(ROUNDS):
        activity = like(f"{peer.base}{path}", n)
        response = await peer.send(signer, inbox, activity, key_id=key_ids[n % len(key_ids)])
        assert response.status == 401
    # Before: one fetch per request (30).
    assert peer.fetches[path] == 1
    monkeypatch.setattr(key_lookup, "UNKNOWN_KEY_SECONDS", 0.0)
    assert (await peer.send(signer, inbox, like(f"{peer.base}{path}", 99), key_id=key_ids[0])).status == 401
    assert peer.fetches[path] == 2


async def test_an_unpublished_key_id_does_not_shut_out_its_actor(nodes, peer):
    node = await nodes.start("a")
    bob = peer.add_actor("bob")
    inbox = f"{node.base_url}/inbox"
    for n in range(ROUNDS):
        response = await peer.send(bob, inbox, like(bob.uri, n), key_id=f"{bob.uri}#not-published")
        assert response.status == 401
    assert peer.fetches["/users/bob"] == 1
    # The actor's own key still verifies: only the key id that led nowhere is remembered.
    assert (await peer.send(bob, inbox, like(bob.uri, 99))).status == 202
    assert peer.fetches["/users/bob"] == 2
