"""WebFinger, host-meta and NodeInfo, checked field by field against what Mastodon requires."""

import pytest

from tests.conftest import create_user


@pytest.fixture
async def alice(client, app):
    return await create_user(app, "alice")


async def test_webfinger_self_link_is_the_actor_id(client, alice):
    response = await client.get("/.well-known/webfinger", params={"resource": "acct:alice@node.test"})
    assert response.status == 200
    assert response.content_type == "application/jrd+json"
    body = await response.json(content_type=None)
    assert body["subject"] == "acct:alice@node.test"
    self_links = [link for link in body["links"] if link["rel"] == "self"]
    assert self_links == [{"rel": "self", "type": "application/activity+json", "href": "https://node.test/users/alice"}]
    assert "https://node.test/users/alice" in body["aliases"]
    profile = next(link for link in body["links"] if link["rel"] == "http://webfinger.net/rel/profile-page")
    assert profile["href"] == "https://node.test/@alice"
    # The actor the link points at is served at exactly that URL with that id.
    actor = await client.get("/users/alice", headers={"Accept": "application/activity+json"})
    assert (await actor.json(content_type=None))["id"] == self_links[0]["href"]


@pytest.mark.parametrize("resource", [
    "acct:ALICE@node.test",
    "acct:@alice@node.test",
    "https://node.test/users/alice",
    "https://node.test/@alice",
])
async def test_webfinger_accepts_other_forms_of_the_same_account(client, alice, resource):
    response = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert response.status == 200
    body = await response.json(content_type=None)
    assert body["links"][0]["href"] == "https://node.test/users/alice"


@pytest.mark.parametrize("resource", ["https://node.test/", "acct:node.test@node.test"])
async def test_webfinger_finds_the_instance_actor(client, resource):
    # FEP-d556: the server's root URL discovers its instance actor.
    response = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert response.status == 200
    body = await response.json(content_type=None)
    assert body["links"][0]["href"] == "https://node.test/actor"


@pytest.mark.parametrize("resource", ["acct:nobody@node.test", "acct:alice@other.example", "https://other.example/users/alice"])
async def test_webfinger_unknown_account_is_json_404(client, alice, resource):
    response = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert response.status == 404
    assert "error" in await response.json()


@pytest.mark.parametrize("resource", ["", "alice", "acct:alice", "acct:@node.test", "mailto:alice@node.test"])
async def test_webfinger_malformed_resource_is_400(client, resource):
    response = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert response.status == 400
    assert "error" in await response.json()


async def test_webfinger_without_resource_is_400(client):
    response = await client.get("/.well-known/webfinger")
    assert response.status == 400


async def test_host_meta_points_at_webfinger(client):
    response = await client.get("/.well-known/host-meta")
    assert response.status == 200
    assert response.content_type == "application/xrd+xml"
    text = await response.text()
    assert 'template="https://node.test/.well-known/webfinger?resource={uri}"' in text
    as_json = await (await client.get("/.well-known/host-meta.json")).json()
    assert as_json["links"][0]["template"] == "https://node.test/.well-known/webfinger?resource={uri}"


async def test_nodeinfo_links_and_documents(client, alice):
    await create_user(client.app, "bob")
    links = (await (await client.get("/.well-known/nodeinfo")).json())["links"]
    by_rel = {link["rel"]: link["href"] for link in links}
    assert by_rel == {
        "http://nodeinfo.diaspora.software/ns/schema/2.0": "https://node.test/nodeinfo/2.0",
        "http://nodeinfo.diaspora.software/ns/schema/2.1": "https://node.test/nodeinfo/2.1",
    }
    for version in ("2.0", "2.1"):
        response = await client.get(f"/nodeinfo/{version}")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert f"schema/{version}#" in response.headers["Content-Type"]
        document = await response.json(content_type=None)
        assert document["version"] == version
        assert document["software"]["name"] == "muralist"
        assert document["software"]["version"]
        assert document["protocols"] == ["activitypub"]
        assert document["openRegistrations"] is True
        # Two people; the instance actor is not a user.
        assert document["usage"]["users"]["total"] == 2
        assert ("repository" in document["software"]) == (version == "2.1")
    assert (await client.get("/nodeinfo/3.0")).status == 404
