"""OAuth through real clients: Mastodon.py for apps, registration, password and code logins and
revocation; plain HTTP for the authorize form, PKCE, body formats and client authentication."""

import base64
import hashlib
import secrets

import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonUnauthorizedError

from tests.api.conftest import PASSWORD, SCOPES, authorize, query_of


async def test_mastodon_py_registers_signs_up_logs_in_and_revokes(node):
    client_id, client_secret = await node.register_app()
    signup = node.client(client_id=client_id, client_secret=client_secret)
    token = await node.call(signup.create_account, "alice", PASSWORD, "alice@example.org", agreement=True)
    assert token
    assert (await node.call(signup.account_verify_credentials))["username"] == "alice"

    api = node.client(client_id=client_id, client_secret=client_secret)
    await node.call(api.log_in, "alice@example.org", PASSWORD, scopes=SCOPES, allow_http=True)
    me = await node.call(api.account_verify_credentials)
    assert me["acct"] == "alice" and me["source"]["privacy"] == "public"
    app = await node.call(api.app_verify_credentials)
    assert app["name"] == "Muralist tests" and "client_secret" not in app
    # Mastodon.py read the version while logging in.
    assert (api.mastodon_major, api.mastodon_minor, api.mastodon_api_version) == (4, 5, 7)

    password_token = api.access_token
    await node.call(api.revoke_access_token, allow_http=True)
    with pytest.raises(MastodonUnauthorizedError):
        await node.call(node.client(access_token=password_token).account_verify_credentials)
    # Revoking one token leaves the user's other tokens alone.
    await node.call(node.client(access_token=token).account_verify_credentials)


async def test_revoked_token_is_refused(node, http):
    await node.create_user("bob")
    api = await node.password_token("bob")
    token = api.access_token
    await node.call(api.revoke_access_token, allow_http=True)
    with pytest.raises(MastodonUnauthorizedError):
        await node.call(node.client(access_token=token).account_verify_credentials)
    async with http.get(f"{node.base_url}/api/v1/accounts/verify_credentials",
                        headers={"Authorization": f"Bearer {token}"}) as response:
        assert response.status == 401
        assert (await response.json())["error"] == "The access token was revoked"


async def test_password_login_can_use_the_username(node, http):
    await node.create_user("carol")
    client_id, client_secret = await node.register_app()
    async with http.post(f"{node.base_url}/oauth/token", data={
        "grant_type": "password", "username": "carol", "password": PASSWORD,
        "client_id": client_id, "client_secret": client_secret, "scope": "read",
    }) as response:
        assert response.status == 200
        assert (await response.json())["scope"] == "read"


async def test_wrong_password_is_invalid_grant(node, http):
    await node.create_user("dave")
    client_id, client_secret = await node.register_app()
    async with http.post(f"{node.base_url}/oauth/token", data={
        "grant_type": "password", "username": "dave@example.org", "password": "wrong password",
        "client_id": client_id, "client_secret": client_secret,
    }) as response:
        assert response.status == 400
        assert (await response.json())["error"] == "invalid_grant"


async def test_code_flow_with_custom_scheme_redirect(node, http):
    await node.create_user("erin")
    redirect = "muralist-test://oauth/callback"
    client_id, client_secret = await node.register_app(redirect_uris=[redirect])
    api = node.client(client_id=client_id, client_secret=client_secret)
    url = await node.call(api.auth_request_url, redirect_uris=redirect, scopes=SCOPES, state="s t&ate",
                          allow_http=True)
    response = await authorize(http, url, "erin")
    assert response.status == 302
    location = response.headers["Location"]
    assert location.startswith(redirect + "?")
    answer = query_of(location)
    assert answer["state"] == "s t&ate"
    await node.call(api.log_in, code=answer["code"], redirect_uri=redirect, scopes=SCOPES, allow_http=True)
    assert (await node.call(api.account_verify_credentials))["username"] == "erin"
    # A code works once (RFC 6749 §4.1.2).
    with pytest.raises(Exception):
        await node.call(api.log_in, code=answer["code"], redirect_uri=redirect, scopes=SCOPES, allow_http=True)


async def test_oob_flow_shows_the_code(node, http):
    await node.create_user("frank")
    client_id, client_secret = await node.register_app()
    api = node.client(client_id=client_id, client_secret=client_secret)
    url = await node.call(api.auth_request_url, scopes=["read"], allow_http=True)
    response = await authorize(http, url, "frank@example.org")
    assert response.status == 200
    page = await response.text()
    code = page.split('id="authorization-code"')[1].split(">")[1].split("<")[0]
    await node.call(api.log_in, code=code, scopes=["read"], allow_http=True)
    assert (await node.call(api.account_verify_credentials))["username"] == "frank"


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def _json_app(node, http, redirect: str, scopes="read write") -> dict:
    async with http.post(f"{node.base_url}/api/v1/apps", json={
        "client_name": "PKCE app", "redirect_uris": [redirect], "scopes": scopes,
    }) as response:
        assert response.status == 200
        return await response.json()


async def test_pkce_s256(node, http):
    await node.create_user("gina")
    redirect = "https://app.example/callback"
    app = await _json_app(node, http, redirect)
    verifier, challenge = _pkce_pair()
    url = (f"{node.base_url}/oauth/authorize/?client_id={app['client_id']}&response_type=code"
           f"&redirect_uri={redirect}&scope=read&code_challenge={challenge}&code_challenge_method=S256")
    response = await authorize(http, url, "gina")
    code = query_of(response.headers["Location"])["code"]
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
                "client_id": app["client_id"], "client_secret": app["client_secret"]}
    async with http.post(f"{node.base_url}/oauth/token", json={**exchange, "code_verifier": "x" * 43}) as wrong:
        assert wrong.status == 400 and (await wrong.json())["error"] == "invalid_grant"
    async with http.post(f"{node.base_url}/oauth/token", json=exchange) as missing:
        assert missing.status == 400
    async with http.post(f"{node.base_url}/oauth/token", json={**exchange, "code_verifier": verifier}) as right:
        assert right.status == 200
        token = await right.json()
    assert token["scope"] == "read" and token["token_type"] == "Bearer"
    assert isinstance(token["created_at"], int)
    assert right.headers["Cache-Control"] == "no-store"


async def test_plain_pkce_is_refused_back_at_the_app(node, http):
    redirect = "https://app.example/callback"
    app = await _json_app(node, http, redirect)
    url = (f"{node.base_url}/oauth/authorize?client_id={app['client_id']}&response_type=code"
           f"&redirect_uri={redirect}&code_challenge={'a' * 43}&code_challenge_method=plain&state=42")
    async with http.get(url, allow_redirects=False) as response:
        assert response.status == 302
        answer = query_of(response.headers["Location"])
    assert answer == {"error": "invalid_request", "error_description": "code_challenge_method must be S256",
                      "state": "42"}


async def test_deny_and_wrong_password(node, http):
    await node.create_user("hank")
    redirect = "https://app.example/cb?keep=1"
    app = await _json_app(node, http, redirect)
    url = f"{node.base_url}/oauth/authorize?client_id={app['client_id']}&response_type=code&redirect_uri=" \
          f"https%3A%2F%2Fapp.example%2Fcb%3Fkeep%3D1&state=abc"
    denied = await authorize(http, url, "hank", decision="deny")
    assert denied.status == 302
    assert query_of(denied.headers["Location"]) == {
        "keep": "1", "error": "access_denied", "error_description": "the user denied the request", "state": "abc",
    }
    wrong = await authorize(http, url, "hank", password="not the password")
    assert wrong.status == 422
    assert "Wrong username" in await wrong.text()


async def test_unknown_client_and_redirect_get_a_page_not_a_redirect(node, http):
    app = await _json_app(node, http, "https://app.example/cb")
    for query in ("client_id=nope&response_type=code",
                  f"client_id={app['client_id']}&response_type=code&redirect_uri=https://evil.example/"):
        async with http.get(f"{node.base_url}/oauth/authorize?{query}", allow_redirects=False) as response:
            assert response.status == 400
            assert response.content_type == "text/html"
            assert response.headers["X-Frame-Options"] == "DENY"


async def test_forged_or_altered_form_is_refused(node, http):
    await node.create_user("ivan")
    app = await _json_app(node, http, "https://app.example/cb")
    url = f"{node.base_url}/oauth/authorize?client_id={app['client_id']}&response_type=code&scope=read"
    async with http.get(url) as page:
        html = await page.text()
    from tests.api.conftest import form_fields

    fields = {**form_fields(html), "login": "ivan", "password": PASSWORD, "decision": "approve"}
    escalated = {**fields, "scope": "read write"}
    async with http.post(f"{node.base_url}/oauth/authorize", data=escalated, allow_redirects=False) as response:
        assert response.status == 403
    http.cookie_jar.clear()
    async with http.post(f"{node.base_url}/oauth/authorize", data=fields, allow_redirects=False) as response:
        assert response.status == 403


async def test_page_escapes_the_app_name(node, http):
    async with http.post(f"{node.base_url}/api/v1/apps", data={
        "client_name": "<script>alert(1)</script>", "redirect_uris": "https://app.example/cb",
    }) as response:
        app = await response.json()
    url = f"{node.base_url}/oauth/authorize?client_id={app['client_id']}&response_type=code"
    async with http.get(url) as page:
        html = await page.text()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


async def test_scopes_beyond_the_app_are_refused(node, http):
    await node.create_user("jane")
    client_id, client_secret = await node.register_app(scopes=["read"])
    api = node.client(client_id=client_id, client_secret=client_secret)
    with pytest.raises(Exception):
        await node.call(api.log_in, "jane@example.org", PASSWORD, scopes=["read", "write"], allow_http=True)
    async with http.post(f"{node.base_url}/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
        "scope": "read:accounts read:statuses",
    }) as response:
        # A narrower scope of a registered one is fine, and the answer names exactly what was asked.
        assert (await response.json())["scope"] == "read:accounts read:statuses"


async def test_authorization_server_metadata(node, http):
    async with http.get(f"{node.base_url}/.well-known/oauth-authorization-server") as response:
        meta = await response.json()
    assert meta["grant_types_supported"] == ["authorization_code", "password", "client_credentials"]
    assert meta["token_endpoint"] == f"{node.base_url}/oauth/token"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert {"read", "write", "follow", "push", "read:statuses"} <= set(meta["scopes_supported"])


async def test_mastodon_py_refuses_nothing_it_reads(node):
    info = await node.call(node.client().oauth_authorization_server_info)
    assert info["authorization_endpoint"] == f"{node.base_url}/oauth/authorize"
    with pytest.raises(MastodonAPIError):
        await node.call(node.client(access_token="not-a-token").account_verify_credentials)


async def test_token_without_grant_type_or_client(node, http):
    async with http.post(f"{node.base_url}/oauth/token", data={"client_id": "x"}) as response:
        assert response.status == 400 and (await response.json())["error"] == "unsupported_grant_type"
    async with http.post(f"{node.base_url}/oauth/token", data={
        "grant_type": "client_credentials", "client_id": "x", "client_secret": "y",
    }) as response:
        assert response.status == 401 and (await response.json())["error"] == "invalid_client"


async def test_revoke_needs_the_owning_client(node, http):
    await node.create_user("kate")
    api = await node.password_token("kate")
    other_id, other_secret = await node.register_app()
    async with http.post(f"{node.base_url}/oauth/revoke", data={
        "token": api.access_token, "client_id": other_id, "client_secret": other_secret,
    }) as response:
        assert response.status == 403
    async with http.post(f"{node.base_url}/oauth/revoke", data={
        "token": "unknown", "client_id": other_id, "client_secret": other_secret,
    }) as response:
        assert response.status == 200 and await response.json() == {}
    assert (await node.call(api.account_verify_credentials))["username"] == "kate"


async def test_mastodon_constructor_is_happy_with_version_checks(node):
    api = await node.call(Mastodon, api_base_url=node.base_url, version_check_mode="created")
    assert api.mastodon_major == 4 and api.mastodon_minor == 5
