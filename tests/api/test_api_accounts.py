"""Registration under each MURALIST_REGISTRATIONS mode, the signed-in account, and account lookups."""

import re

import pytest
from mastodon.errors import MastodonAPIError, MastodonIllegalArgumentError
from sqlalchemy import update

from storage.models import User
from tests.api.conftest import PASSWORD, SCOPES

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


async def _app_token(node, http, scope="write:accounts") -> str:
    client_id, client_secret = await node.register_app()
    async with http.post(f"{node.base_url}/oauth/token", json={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret, "scope": scope,
    }) as response:
        return (await response.json())["access_token"]


async def _register(node, http, token: str, **fields):
    body = {"username": "zoe", "email": "zoe@example.org", "password": PASSWORD, "agreement": "true", **fields}
    async with http.post(f"{node.base_url}/api/v1/accounts", data=body,
                         headers={"Authorization": f"Bearer {token}"}) as response:
        return response.status, await response.json()


async def test_open_registration_gives_a_working_token(node, http):
    status, token = await _register(node, http, await _app_token(node, http))
    assert status == 200 and token["token_type"] == "Bearer" and token["scope"] == "write:accounts"
    assert isinstance(token["created_at"], int)
    async with http.get(f"{node.base_url}/api/v1/apps/verify_credentials",
                        headers={"Authorization": f"Bearer {token['access_token']}"}) as response:
        assert response.status == 200


async def test_closed_registration_is_403(start_node, http):
    node = await start_node(registrations="closed")
    status, answer = await _register(node, http, await _app_token(node, http))
    assert status == 403 and "closed" in answer["error"]
    client_id, client_secret = await node.register_app()
    api = node.client(client_id=client_id, client_secret=client_secret)
    with pytest.raises(MastodonIllegalArgumentError):
        await node.call(api.create_account, "zoe", PASSWORD, "zoe@example.org", agreement=True)


async def test_approval_registration_waits_for_a_moderator(start_node, http):
    node = await start_node(registrations="approval")
    client_id, client_secret = await node.register_app()
    signup = node.client(client_id=client_id, client_secret=client_secret)
    await node.call(signup.create_account, "zoe", PASSWORD, "zoe@example.org", agreement=True, reason="hi")
    with pytest.raises(MastodonAPIError) as refused:
        await node.call(signup.account_verify_credentials)
    assert refused.value.args[1] == 403
    login = node.client(client_id=client_id, client_secret=client_secret)
    with pytest.raises(MastodonIllegalArgumentError):
        await node.call(login.log_in, "zoe@example.org", PASSWORD, scopes=SCOPES, allow_http=True)

    async with await node.session() as session:
        await session.execute(update(User).where(User.email == "zoe@example.org").values(approved=True))
        await session.commit()
    assert (await node.call(signup.account_verify_credentials))["username"] == "zoe"
    await node.call(login.log_in, "zoe@example.org", PASSWORD, scopes=SCOPES, allow_http=True)


async def test_registration_needs_an_app_token_with_write_accounts(node, http):
    status, answer = await _register(node, http, "no-such-token")
    assert status == 401
    status, answer = await _register(node, http, await _app_token(node, http, scope="read"))
    assert status == 403


async def test_registration_errors_have_details(node, http):
    token = await _app_token(node, http)
    await node.create_user("taken")
    status, answer = await _register(node, http, token, username="taken", email="bad", password="short",
                                     agreement="false")
    assert status == 422
    assert answer["error"].startswith("Validation failed")
    assert {field: problems[0]["error"] for field, problems in answer["details"].items()} == {
        "username": "ERR_TAKEN", "email": "ERR_INVALID", "password": "ERR_TOO_SHORT", "agreement": "ERR_ACCEPTED",
    }
    status, answer = await _register(node, http, token, username="admin")
    assert answer["details"]["username"][0]["error"] == "ERR_RESERVED"


async def test_verify_credentials_is_a_credential_account(node):
    await node.create_user("alice")
    api = await node.password_token("alice")
    me = await node.call(api.account_verify_credentials)
    assert me["username"] == "alice" and me["acct"] == "alice"
    assert me["source"]["note"] == "" and me["source"]["fields"] == []
    assert me["source"]["privacy"] == "public" and me["source"]["sensitive"] is False


async def test_account_entity_shape(node, http):
    alice = await node.create_user("alice")
    async with http.get(f"{node.base_url}/api/v1/accounts/{alice.id}") as response:
        entity = await response.json()
    assert entity["id"] == str(alice.id)
    assert TIMESTAMP.match(entity["created_at"])
    assert entity["avatar"] == f"{node.base_url}/static/avatar.png"
    assert entity["header_static"] == f"{node.base_url}/static/header.png"
    assert entity["url"] == f"{node.base_url}/@alice"
    assert entity["uri"] == f"{node.base_url}/users/alice"
    assert (entity["followers_count"], entity["following_count"], entity["statuses_count"]) == (0, 0, 0)
    assert entity["emojis"] == [] and entity["fields"] == [] and entity["last_status_at"] is None
    assert (entity["group"], entity["bot"], entity["locked"]) == (False, False, False)
    async with http.get(f"{node.base_url}/static/avatar.png") as response:
        assert response.status == 200 and response.content_type == "image/png"


async def test_account_by_id_and_lookup_through_mastodon_py(node):
    alice = await node.create_user("alice")
    api = await node.password_token("alice")
    assert (await node.call(api.account, alice.id))["username"] == "alice"
    for acct in ("alice", "@alice", f"alice@{node.settings.domain}", "ALICE"):
        assert str((await node.call(api.account_lookup, acct))["id"]) == str(alice.id)
    with pytest.raises(MastodonAPIError):
        await node.call(api.account_lookup, "nobody")
    with pytest.raises(MastodonAPIError):
        await node.call(api.account_lookup, "alice@elsewhere.example")


async def test_public_account_endpoints_check_a_sent_token(node, http):
    alice = await node.create_user("alice")
    async with http.get(f"{node.base_url}/api/v1/accounts/lookup?acct=alice",
                        headers={"Authorization": "Bearer wrong"}) as response:
        assert response.status == 401
    async with http.get(f"{node.base_url}/api/v1/accounts/{alice.id}") as response:
        assert response.status == 200
