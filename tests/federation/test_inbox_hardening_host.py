"""Issue 11, requests bound to this node: an inbox POST must be signed for this node's public
host and for the path it arrived at, in draft-cavage and RFC 9421 alike; a request that a
peer signed for another server is refused (401) even when replayed within the clock window."""

import base64
import json
from email.utils import formatdate

import aiohttp
import pytest
from sqlalchemy import func, select

from activitypub.digest import digest_header
from activitypub.errors import SignatureError
from activitypub.inbox.receive import verify_and_parse
from activitypub.signature_core import RSA_V1_5_SHA256, load_private_key, sign_bytes
from activitypub.signatures import PublicKeyInfo, sign_request_rfc9421
from storage.models import InboxItem

from tests.peer import AS2, Peer


@pytest.fixture
async def peer():
    server = await Peer().start()
    yield server
    await server.close()


def cavage_headers(actor, method: str, path: str, host: str, body: bytes, names: list[str]) -> dict:
    """A draft-cavage signature over exactly `names`, written from the draft's text."""
    headers = {"Host": host, "Date": formatdate(usegmt=True), "Digest": digest_header(body),
               "Content-Type": AS2}
    lines = [f"(request-target): {method.lower()} {path}" if name == "(request-target)"
             else f"{name}: {headers[next(k for k in headers if k.lower() == name)]}" for name in names]
    raw = sign_bytes(load_private_key(actor.private_pem), RSA_V1_5_SHA256, "\n".join(lines).encode())
    headers["Signature"] = (f'keyId="{actor.key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
                            f'signature="{base64.b64encode(raw).decode()}"')
    return headers


async def post(url: str, body: bytes, headers: dict) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data=body, headers=headers) as response:
            return response.status


async def _count(node) -> int:
    async with node.session() as session:
        return (await session.execute(select(func.count()).select_from(InboxItem))).scalar_one()


def _like(actor, n: int) -> bytes:
    return json.dumps({"id": f"{actor.uri}#likes/{n}", "type": "Like", "actor": actor.uri,
                       "object": actor.uri}).encode()


async def test_a_delivery_to_another_node_replayed_here_is_refused(nodes, peer):
    a, b = await nodes.start("a"), await nodes.start("b")
    bob = peer.add_actor("bob")
    follow = {"id": f"{bob.uri}#follows/1", "type": "Follow", "actor": bob.uri, "object": bob.uri}
    captured = {}

    def keep(body, headers):
        captured["request"] = (body, dict(headers))
        return body, headers

    assert (await peer.send(bob, f"{b.base_url}/inbox", follow, tamper=keep)).status == 202
    body, headers = captured["request"]
    # Same path, same body, a fresh signature by the right key: only the host differs.
    assert await post(f"{a.base_url}/inbox", body, headers) == 401
    assert await _count(a) == 0 and await _count(b) == 1


@pytest.mark.parametrize(("names", "status"), [
    (["(request-target)", "host", "date", "digest", "content-type"], 202),
    (["(request-target)", "date", "digest", "content-type"], 401),  # no host
    (["host", "date", "digest", "content-type"], 401),  # no (request-target)
])
async def test_cavage_post_must_cover_host_and_request_target(nodes, peer, names, status):
    node = await nodes.start("a")
    bob = peer.add_actor("bob")
    body = _like(bob, 1)
    headers = cavage_headers(bob, "POST", "/inbox", node.domain, body, names)
    assert await post(f"{node.base_url}/inbox", body, headers) == status
    assert await _count(node) == (1 if status == 202 else 0)


async def test_cavage_signed_for_another_host_is_refused(nodes, peer):
    node = await nodes.start("a")
    bob = peer.add_actor("bob")
    body = _like(bob, 1)
    names = ["(request-target)", "host", "date", "digest", "content-type"]
    for host in ("other.example", f"127.0.0.2:{node.settings.bind.rsplit(':', 1)[1]}"):
        assert await post(f"{node.base_url}/inbox", body, cavage_headers(bob, "POST", "/inbox", host, body, names)) == 401
    # The right host at another path: the (request-target) line no longer matches.
    assert await post(f"{node.base_url}/inbox", body,
                      cavage_headers(bob, "POST", "/users/alice/inbox", node.domain, body, names)) == 401
    assert await _count(node) == 0


@pytest.mark.parametrize(("components", "status"), [
    (["@method", "@target-uri", "content-digest"], 202),
    (["@method", "@authority", "@path", "content-digest"], 202),
    (["@method", "@path", "content-digest"], 401),  # no host
    (["@method", "@authority", "content-digest"], 401),  # no path
])
async def test_rfc9421_must_cover_authority_and_path(nodes, peer, components, status):
    node = await nodes.start("a")
    bob = peer.add_actor("bob")
    body = _like(bob, 1)
    headers = sign_request_rfc9421("POST", f"{node.base_url}/inbox", {"Content-Type": AS2}, body,
                                   bob.key_id, bob.private_pem, components=components)
    assert await post(f"{node.base_url}/inbox", body, headers) == status


@pytest.mark.parametrize("components", [["@method", "@target-uri", "content-digest"],
                                        ["@method", "@authority", "@path", "content-digest"]])
async def test_rfc9421_signed_for_another_host_is_refused(nodes, peer, components):
    node = await nodes.start("a")
    bob = peer.add_actor("bob")
    body = _like(bob, 1)
    headers = sign_request_rfc9421("POST", "http://other.example/inbox", {"Content-Type": AS2}, body,
                                   bob.key_id, bob.private_pem, components=components)
    assert await post(f"{node.base_url}/inbox", body, headers) == 401
    assert await _count(node) == 0


# --- the public host behind a proxy ------------------------------------------------

ACTOR = "https://peer.example/users/bob"


def _signed_for(url: str, private_pem: str) -> tuple[bytes, dict]:
    body = json.dumps({"id": f"{ACTOR}#likes/1", "type": "Like", "actor": ACTOR, "object": ACTOR}).encode()
    headers = sign_request_rfc9421("POST", url, {"Content-Type": AS2}, body, f"{ACTOR}#main-key", private_pem)
    return body, headers


@pytest.fixture
def key_pair():
    from activitypub.keys import generate_rsa_keypair

    private, public = generate_rsa_keypair()

    async def get_key(key_id, refresh=False):
        return PublicKeyInfo(key_id, ACTOR, public)

    return private, get_key


@pytest.mark.parametrize("domain", ["muralist.example", "Muralist.Example", "muralist.example:443"])
@pytest.mark.parametrize("signed_url", ["https://muralist.example/inbox", "https://MURALIST.example:443/inbox"])
async def test_the_public_host_is_compared_without_case_or_default_port(key_pair, domain, signed_url):
    private, get_key = key_pair
    body, headers = _signed_for(signed_url, private)
    # What a proxy forwards: the Host the peer signed, whatever address the node listens on.
    activity = await verify_and_parse("POST", "/inbox", headers, body, get_key, "https", domain)
    assert activity["actor"] == ACTOR


@pytest.mark.parametrize("signed_url", ["https://muralist.example:8443/inbox", "http://127.0.0.1:8080/inbox",
                                        "https://muralist.example.evil/inbox"])
async def test_a_host_other_than_the_public_one_is_refused(key_pair, signed_url):
    private, get_key = key_pair
    body, headers = _signed_for(signed_url, private)
    with pytest.raises(SignatureError, match="not for this server"):
        await verify_and_parse("POST", "/inbox", headers, body, get_key, "https", "muralist.example")
