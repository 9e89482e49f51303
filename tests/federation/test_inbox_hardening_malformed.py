"""Issue 11, no inbox input answers 500: ids and key ids that are not URLs at all, and
signature times that are not finite numbers, are refused with 400 or 401."""

import json

import aiohttp
import pytest

from activitypub.signatures import sign_request

from tests.peer import AS2, Peer


@pytest.fixture
async def peer():
    server = await Peer().start()
    yield server
    await server.close()


async def send(inbox: str, actor, activity: dict, *, key_id: str | None = None, edit=None) -> int:
    body = json.dumps(activity).encode()
    headers = sign_request("POST", inbox, {"Content-Type": AS2}, body, key_id or actor.key_id, actor.private_pem)
    if edit is not None:
        edit(headers)
    async with aiohttp.ClientSession() as http:
        async with http.post(inbox, data=body, headers=headers) as response:
            return response.status


def like(actor) -> dict:
    return {"id": f"{actor.uri}#likes/1", "type": "Like", "actor": actor.uri, "object": actor.uri}


@pytest.mark.parametrize("field", ["id", "actor"])
async def test_an_id_that_is_no_url_answers_400(nodes, peer, field):
    node = await nodes.start("a")
    bob = peer.add_actor("bob")
    # urlsplit raises on an unbalanced IPv6 bracket.
    assert await send(f"{node.base_url}/inbox", bob, dict(like(bob), **{field: "http://[x/y"})) == 400


@pytest.mark.parametrize("key_id", ["http://[x/y#main-key", "http://[x", "https://a.example:99999/u#k"])
async def test_a_key_id_that_is_no_url_answers_401(nodes, peer, key_id):
    node = await nodes.start("a")
    bob = peer.add_actor("bob")
    assert await send(f"{node.base_url}/inbox", bob, like(bob), key_id=key_id) == 401


@pytest.mark.parametrize("value", ["1e999", "-1e999", "nan", "inf"])
@pytest.mark.parametrize("param", ["created", "expires"])
async def test_signature_times_must_be_finite(nodes, peer, param, value):
    node = await nodes.start("a")
    bob = peer.add_actor("bob")

    def add_param(headers):
        headers["Signature"] = headers["Signature"].replace('algorithm="rsa-sha256"',
                                                            f'algorithm="rsa-sha256",{param}="{value}"')

    assert await send(f"{node.base_url}/inbox", bob, like(bob), edit=add_param) == 401
