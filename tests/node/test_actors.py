"""Actor documents for users and for the instance actor."""

import pytest
from cryptography.hazmat.primitives import serialization

from node import context
from tests.conftest import create_user

AS2_ACCEPTS = [
    "application/activity+json",
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    "application/activity+json, application/ld+json",
]


@pytest.fixture
async def alice(client, app):
    return await create_user(app, "alice")


@pytest.mark.parametrize("accept", AS2_ACCEPTS)
async def test_user_actor_document(client, alice, accept):
    response = await client.get("/users/alice", headers={"Accept": accept})
    assert response.status == 200
    assert response.content_type == "application/activity+json"
    actor = await response.json(content_type=None)
    assert actor["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert "https://w3id.org/security/v1" in actor["@context"]
    base = "https://node.test/users/alice"
    assert actor["id"] == base
    assert actor["type"] == "Person"
    assert actor["preferredUsername"] == "alice"
    assert actor["name"] == "alice"
    assert actor["summary"] == ""
    assert actor["url"] == "https://node.test/@alice"
    assert actor["inbox"] == f"{base}/inbox"
    assert actor["outbox"] == f"{base}/outbox"
    assert actor["followers"] == f"{base}/followers"
    assert actor["following"] == f"{base}/following"
    assert actor["featured"] == f"{base}/collections/featured"
    assert actor["endpoints"] == {"sharedInbox": "https://node.test/inbox"}
    assert actor["publicKey"]["id"] == f"{base}#main-key"
    assert actor["publicKey"]["owner"] == base
    assert actor["icon"]["type"] == "Image" and actor["icon"]["url"].startswith("https://node.test/")
    assert actor["image"]["type"] == "Image"
    assert actor["published"].endswith("Z")
    assert actor["manuallyApprovesFollowers"] is False
    assert actor["discoverable"] is True
    assert actor["indexable"] is True


async def test_public_key_matches_the_stored_private_key(client, app, alice):
    actor = await (await client.get("/users/alice", headers={"Accept": "application/activity+json"})).json(content_type=None)
    public_key = serialization.load_pem_public_key(actor["publicKey"]["publicKeyPem"].encode())
    async with app[context.SESSIONMAKER]() as session:
        from storage.repositories.accounts import get_account_by_username

        stored = await get_account_by_username(session, "alice")
    private_key = serialization.load_pem_private_key(stored.private_key_pem.encode(), None)
    assert public_key.public_numbers() == private_key.public_key().public_numbers()
    assert public_key.key_size == 2048


async def test_browsers_get_an_html_profile(client, alice):
    response = await client.get("/users/alice", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status == 200
    assert response.content_type == "text/html"
    text = await response.text()
    assert "@alice@node.test" in text
    assert 'href="https://node.test/users/alice"' in text
    page = await client.get("/@alice")
    assert page.status == 200 and page.content_type == "text/html"


async def test_username_lookup_ignores_case(client, alice):
    response = await client.get("/users/ALICE", headers={"Accept": "application/activity+json"})
    assert response.status == 200
    assert (await response.json(content_type=None))["id"] == "https://node.test/users/alice"


async def test_unknown_user_is_404_json_for_peers_and_a_page_for_browsers(client):
    response = await client.get("/users/nobody", headers={"Accept": "application/activity+json"})
    assert response.status == 404
    assert "error" in await response.json()
    response = await client.get("/users/nobody", headers={"Accept": "text/html"})
    assert response.status == 404 and response.content_type == "text/html"


async def test_instance_actor(client):
    response = await client.get("/actor", headers={"Accept": "application/activity+json"})
    assert response.status == 200
    assert response.content_type == "application/activity+json"
    actor = await response.json(content_type=None)
    assert actor["id"] == "https://node.test/actor"
    assert actor["type"] == "Application"
    assert actor["preferredUsername"] == "node.test"
    assert actor["inbox"] == "https://node.test/actor/inbox"
    assert actor["outbox"] == "https://node.test/actor/outbox"
    assert actor["endpoints"]["sharedInbox"] == "https://node.test/inbox"
    assert actor["publicKey"]["id"] == "https://node.test/actor#main-key"
    assert actor["publicKey"]["owner"] == "https://node.test/actor"
    assert "BEGIN PUBLIC KEY" in actor["publicKey"]["publicKeyPem"]
    assert actor["manuallyApprovesFollowers"] is True


async def test_the_instance_actor_is_not_served_as_a_user(client):
    response = await client.get("/users/node.test", headers={"Accept": "application/activity+json"})
    assert response.status == 404


async def test_collections_are_served_with_their_own_ids(client, alice):
    for name in ("outbox", "followers", "following", "collections/featured"):
        response = await client.get(f"/users/alice/{name}", headers={"Accept": "application/activity+json"})
        assert response.status == 200
        document = await response.json(content_type=None)
        assert document["id"] == f"https://node.test/users/alice/{name}"
        assert document["type"] == "OrderedCollection"


async def test_trailing_slash_and_unknown_paths(client, alice):
    assert (await client.get("/users/alice/", headers={"Accept": "application/activity+json"})).status == 200
    response = await client.get("/api/v1/does-not-exist")
    assert response.status == 404
    assert await response.json() == {"error": "Record not found"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
