"""Web Push through the client API: a subscription made, read, changed and removed through
Mastodon.py and plain HTTP; notifications pushed by the workers to a push service the test
serves on loopback, which checks the VAPID signature and whose messages the test decrypts
with the subscription's private key: RFC 8291 aes128gcm for a `standard` subscription (a
follow and a favourite from another node), the older aesgcm scheme through Mastodon.py's own
decryption; retries after a 503, and a subscription dropped when the service answers 410."""

import json

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from mastodon import MastodonNotFoundError
from sqlalchemy import select, update

from storage.models import PushDelivery, PushSubscription
from storage.states import QueueState
from tests.api.federated import live_node, signed_in
from tests.push_endpoint import b64decode, start_push_endpoint


@pytest.fixture
async def push_service():
    endpoint, runner = await start_push_endpoint()
    yield endpoint
    await runner.cleanup()


def private_key_of(private: dict) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(private["privkey"], ec.SECP256R1())


async def server_key(node, http) -> str:
    async with http.get(f"{node.base_url}/api/v2/instance") as response:
        return (await response.json())["configuration"]["vapid"]["public_key"]


async def subscribe(node, api, http, endpoint: str, public: dict, **data) -> tuple[int, dict]:
    import base64

    body = {"subscription": {"endpoint": endpoint, "standard": True,
                             "keys": {"p256dh": base64.urlsafe_b64encode(public["pubkey"]).decode().rstrip("="),
                                      "auth": base64.urlsafe_b64encode(public["auth"]).decode().rstrip("=")}},
            "data": data}
    async with http.post(f"{node.base_url}/api/v1/push/subscription", json=body,
                         headers={"Authorization": f"Bearer {api.access_token}"}) as response:
        return response.status, await response.json()


def decrypt_standard(received, private: dict) -> dict:
    assert received.headers["Content-Encoding"] == "aes128gcm"
    plain = http_ece.decrypt(received.body, private_key=private_key_of(private), auth_secret=private["auth"],
                             version="aes128gcm")
    return json.loads(plain)


async def test_standard_push_of_a_remote_follow_and_favourite_arrives_decrypted(nodes, http, push_service):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    private, public = alice.push_subscription_generate_keys()
    status, entity = await subscribe(a, alice, http, push_service.url(), public,
                                     alerts={"follow": True, "favourite": True, "mention": False}, policy="all")
    assert status == 200, entity
    key = await server_key(a, http)
    assert entity["server_key"] == key and entity["standard"] is True and entity["policy"] == "all"
    assert entity["alerts"]["follow"] is True and entity["alerts"]["mention"] is False
    assert entity["endpoint"] == push_service.url()

    post = await a.call(alice.status_post, "a mural of the old harbour")
    [found] = (await b.call(bob.search_v2, f"@alice@{a.settings.domain}", resolve=True))["accounts"]
    await b.call(bob.account_follow, found["id"])
    await nodes.settle()
    [remote_post] = (await b.call(bob.search_v2, post["uri"], resolve=True))["statuses"]
    await b.call(bob.status_favourite, remote_post["id"])
    await b.call(bob.status_post, f"@alice@{a.settings.domain} hello")  # mention: not asked for
    await nodes.settle()

    assert push_service.refused == []
    assert len(await a.call(alice.notifications, types=["mention"])) == 1
    assert len(push_service.received) == 2
    assert all(item.vapid_key == b64decode(key) for item in push_service.received)
    follow, favourite = (decrypt_standard(item, private) for item in push_service.received)
    assert follow["notification_type"] == "follow" and follow["title"] == "bob followed you"
    assert favourite["notification_type"] == "favourite" and favourite["body"] == "a mural of the old harbour"
    notifications = await a.call(alice.notifications, types=["favourite"])
    assert str(favourite["notification_id"]) == notifications[0]["id"]

    # The service forgets the subscription (410): the node drops it.
    push_service.answers = [410]
    second = await a.call(alice.status_post, "a mural of the new harbour")
    await nodes.settle()
    [remote_second] = (await b.call(bob.search_v2, second["uri"], resolve=True))["statuses"]
    await b.call(bob.status_favourite, remote_second["id"])
    await nodes.settle()
    assert push_service.answers == []  # the favourite's push was answered 410
    async with http.get(f"{a.base_url}/api/v1/push/subscription",
                        headers={"Authorization": f"Bearer {alice.access_token}"}) as response:
        assert response.status == 404


async def test_legacy_push_through_mastodon_py_retried_after_503(nodes, push_service):
    a = await live_node(nodes, "a")
    alice, bob = await signed_in(a, "alice"), await signed_in(a, "bob")
    private, public = alice.push_subscription_generate_keys()
    made = await a.call(alice.push_subscription_set, push_service.url("/push/alice"), public,
                        favourite_events=True, reblog_events=True, policy="all")
    assert made["standard"] is False and made["alerts"]["favourite"] is True and made["alerts"]["follow"] is False
    assert (await a.call(alice.push_subscription))["id"] == made["id"]

    post = await a.call(alice.status_post, "the lighthouse, in chalk")
    push_service.answers = [503]
    await a.call(bob.status_favourite, post["id"])
    await nodes.settle()
    [first] = push_service.received
    async with await a.session() as session:
        [row] = (await session.execute(select(PushDelivery))).scalars().all()
        assert row.state == QueueState.QUEUED and row.attempts == 1 and row.last_status == 503
        await session.execute(update(PushDelivery).values(next_attempt_at=row.created_at))
        await session.commit()
    await nodes.settle()
    [_, second] = push_service.received
    for received in (first, second):
        assert received.headers["Content-Encoding"] == "aesgcm"
        assert received.headers["Authorization"].startswith("WebPush ")
        message = alice.push_subscription_decrypt_push(received.body, private, received.headers["Encryption"],
                                                       received.headers["Crypto-Key"])
        assert message["notification_type"] == "favourite" and message["title"] == "bob favorited your post"

    # Favourites off, followed accounts only: a boost by bob (not followed) is not pushed.
    changed = await a.call(alice.push_subscription_update, favourite_events=False, policy="followed")
    assert changed["alerts"]["favourite"] is False and changed["alerts"]["reblog"] is True
    assert changed["policy"] == "followed"
    await a.call(bob.status_reblog, post["id"])
    await nodes.settle()
    assert len(push_service.received) == 2

    await a.call(alice.push_subscription_delete)
    with pytest.raises(MastodonNotFoundError):
        await a.call(alice.push_subscription)


@pytest.mark.parametrize("body, problem", [
    ({"subscription": {"endpoint": "ftp://push.example/1", "keys": {"p256dh": "x", "auth": "y"}}}, "endpoint"),
    ({"subscription": {"endpoint": "http://127.0.0.1:9/push"}}, "p256dh"),
    ({"subscription": {"endpoint": "http://127.0.0.1:9/push", "keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}},
     "p256dh"),
    ({"data": {"policy": "all"}}, "subscription"),
])
async def test_a_bad_subscription_is_refused_and_nothing_is_kept(nodes, http, body, problem):
    a = await live_node(nodes, "a")
    alice = await signed_in(a, "alice")
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    async with http.post(f"{a.base_url}/api/v1/push/subscription", json=body, headers=headers) as response:
        assert response.status == 422
        assert problem in (await response.json())["error"]
    async with await a.session() as session:
        assert (await session.execute(select(PushSubscription))).scalars().all() == []


async def test_a_bad_policy_changes_nothing_and_push_scope_is_required(nodes, http, push_service):
    a = await live_node(nodes, "a")
    alice = await signed_in(a, "alice")
    _, public = alice.push_subscription_generate_keys()
    status, made = await subscribe(a, alice, http, push_service.url(), public, alerts={"mention": True})
    assert status == 200
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    async with http.put(f"{a.base_url}/api/v1/push/subscription", headers=headers,
                        json={"data": {"policy": "everyone", "alerts": {"mention": False}}}) as response:
        assert response.status == 422 and "policy" in (await response.json())["error"]
    async with http.get(f"{a.base_url}/api/v1/push/subscription", headers=headers) as response:
        kept = await response.json()
    assert kept["policy"] == "all" and kept["alerts"]["mention"] is True

    reader = await a.password_token("alice", scopes=["read"])
    async with http.get(f"{a.base_url}/api/v1/push/subscription",
                        headers={"Authorization": f"Bearer {reader.access_token}"}) as response:
        assert response.status == 403


async def test_the_vapid_key_is_made_once_and_kept(nodes, http):
    a = await live_node(nodes, "a")
    first = await server_key(a, http)
    assert len(b64decode(first)) == 65 and b64decode(first)[0] == 4  # an uncompressed P-256 point
    assert await server_key(a, http) == first
