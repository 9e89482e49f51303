"""JSON, form and multipart bodies on /api/v1/apps and /oauth/token, array fields, HTTP Basic
client authentication, size limits; plus the scope hierarchy and the Rails-style field parser."""

import base64
from urllib.parse import quote

import aiohttp
import pytest

from node.api.body import parse_pairs
from node.api.scopes import covers, expand
from tests.api.conftest import PASSWORD

APP_FIELDS = {"client_name": "Body app", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write"}


def multipart(fields: list[tuple[str, str]]) -> aiohttp.FormData:
    form = aiohttp.FormData(default_to_multipart=True)
    for name, value in fields:
        form.add_field(name, value)
    return form


@pytest.mark.parametrize("kind", ["json", "form", "multipart"])
async def test_apps_accept_every_body(node, http, kind):
    kwargs = {
        "json": {"json": APP_FIELDS},
        "form": {"data": APP_FIELDS},
        "multipart": {"data": multipart(list(APP_FIELDS.items()))},
    }[kind]
    async with http.post(f"{node.base_url}/api/v1/apps", **kwargs) as response:
        assert response.status == 200, await response.text()
        app = await response.json()
    assert app["scopes"] == ["read", "write"]
    assert app["redirect_uris"] == ["urn:ietf:wg:oauth:2.0:oob"]
    assert app["redirect_uri"] == "urn:ietf:wg:oauth:2.0:oob"
    assert app["client_id"] and app["client_secret"] and app["website"] is None


async def test_apps_array_fields(node, http):
    fields = [("client_name", "Arrays"), ("scopes[]", "read"), ("scopes[]", "push"),
              ("redirect_uris[]", "com.example.app:/oauth"), ("redirect_uris[]", "urn:ietf:wg:oauth:2.0:oob")]
    for data in (fields, multipart(fields)):
        async with http.post(f"{node.base_url}/api/v1/apps", data=data) as response:
            app = await response.json()
        assert app["scopes"] == ["read", "push"]
        assert app["redirect_uris"] == ["com.example.app:/oauth", "urn:ietf:wg:oauth:2.0:oob"]
        assert app["redirect_uri"] == "com.example.app:/oauth\nurn:ietf:wg:oauth:2.0:oob"


@pytest.mark.parametrize("fields, message", [
    ({"redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}, "name"),
    ({"client_name": "x"}, "Redirect URI"),
    ({"client_name": "x", "redirect_uris": "relative/path"}, "absolute"),
    ({"client_name": "x", "redirect_uris": "https://a.example/cb#frag"}, "fragment"),
    ({"client_name": "x", "redirect_uris": "javascript:alert(1)"}, "scheme"),
    ({"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read everything"}, "scope"),
    ({"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "website": "ftp://x"}, "Website"),
])
async def test_apps_validation(node, http, fields, message):
    async with http.post(f"{node.base_url}/api/v1/apps", data=fields) as response:
        assert response.status == 422
        assert message in (await response.json())["error"]


async def test_malformed_and_oversized_bodies(node, http):
    async with http.post(f"{node.base_url}/api/v1/apps", data=b"{not json",
                         headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400 and "JSON" in (await response.json())["error"]
    async with http.post(f"{node.base_url}/api/v1/apps", data=b"x" * (1024 * 1024 + 1),
                         headers={"Content-Type": "application/x-www-form-urlencoded"}) as response:
        assert response.status == 413
    async with http.post(f"{node.base_url}/api/v1/apps", data=b"<xml/>",
                         headers={"Content-Type": "application/xml"}) as response:
        assert response.status == 415


async def _app(node, http) -> dict:
    async with http.post(f"{node.base_url}/api/v1/apps", json=APP_FIELDS) as response:
        return await response.json()


@pytest.mark.parametrize("kind", ["json", "form", "multipart", "basic"])
async def test_token_accepts_every_body_and_basic_auth(node, http, kind):
    await node.create_user("alice")
    app = await _app(node, http)
    grant = {"grant_type": "password", "username": "alice", "password": PASSWORD, "scope": "write read"}
    credentials = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    headers = {}
    if kind == "basic":
        pair = f"{quote(app['client_id'])}:{quote(app['client_secret'])}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        kwargs = {"data": grant}
    else:
        body = {**grant, **credentials}
        kwargs = {"json": {"json": body}, "form": {"data": body},
                  "multipart": {"data": multipart(list(body.items()))}}[kind]
    async with http.post(f"{node.base_url}/oauth/token", headers=headers, **kwargs) as response:
        assert response.status == 200, await response.text()
        token = await response.json()
    # Exactly the requested scopes, in the order asked.
    assert token["scope"] == "write read"
    assert set(token) == {"access_token", "token_type", "scope", "created_at"}


async def test_basic_auth_with_a_wrong_secret_is_challenged(node, http):
    app = await _app(node, http)
    pair = base64.b64encode(f"{app['client_id']}:wrong".encode()).decode()
    async with http.post(f"{node.base_url}/oauth/token", data={"grant_type": "client_credentials"},
                         headers={"Authorization": f"Basic {pair}"}) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic")
        assert (await response.json())["error"] == "invalid_client"


async def test_token_scope_arrays(node, http):
    app = await _app(node, http)
    fields = [("grant_type", "client_credentials"), ("client_id", app["client_id"]),
              ("client_secret", app["client_secret"]), ("scopes[]", "read:accounts"), ("scopes[]", "write:media")]
    async with http.post(f"{node.base_url}/oauth/token", data=fields) as response:
        assert (await response.json())["scope"] == "read:accounts write:media"


def test_scope_hierarchy():
    assert covers(["read"], ["read:statuses", "read:accounts"])
    assert covers(["write"], ["write:statuses"])
    assert not covers(["read"], ["write:statuses"])
    assert covers(["follow"], ["read:follows", "write:blocks", "write:mutes"])
    assert not covers(["follow"], ["read:statuses"])
    assert not covers(["read:statuses"], ["read"])
    assert "push" in expand(["push"]) and "profile" not in expand(["read"])


def test_rails_style_fields():
    pairs = [("a", "1"), ("list[]", "x"), ("list[]", "y"), ("home[last_read_id]", "5"),
             ("fields_attributes[][name]", "n1"), ("fields_attributes[][value]", "v1"),
             ("fields_attributes[][name]", "n2"), ("fields_attributes[][value]", "v2")]
    assert parse_pairs(pairs) == {
        "a": "1", "list": ["x", "y"], "home": {"last_read_id": "5"},
        "fields_attributes": [{"name": "n1", "value": "v1"}, {"name": "n2", "value": "v2"}],
    }
