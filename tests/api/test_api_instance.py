"""The instance documents and the endpoints apps call at launch, read through Mastodon.py."""

import pytest
from mastodon.errors import MastodonAPIError

from node.version import __version__


async def test_instance_v1_and_v2_parse_in_mastodon_py(node):
    api = node.client()
    v1 = await node.call(api.instance_v1)
    v2 = await node.call(api.instance_v2)
    version = f"4.5.0 (compatible; Muralist {__version__})"
    assert v1["version"] == version and v2["version"] == version
    assert v1["uri"] == node.settings.domain and v2["domain"] == node.settings.domain
    assert v1["urls"]["streaming_api"] == f"ws://{node.settings.domain}"
    assert v2["configuration"]["urls"]["streaming"] == f"ws://{node.settings.domain}"
    assert v2["api_versions"]["mastodon"] == 7
    assert v2["configuration"]["statuses"]["max_media_attachments"] == 4
    assert "image/png" in v2["configuration"]["media_attachments"]["supported_mime_types"]
    assert v2["configuration"]["polls"]["max_options"] == 4
    assert v2["registrations"]["enabled"] is True and v2["registrations"]["approval_required"] is False
    assert v2["thumbnail"]["url"].endswith("/static/header.png")
    assert await node.call(api.retrieve_mastodon_version) == "4.5.0"
    assert api.mastodon_api_version == 7


@pytest.mark.parametrize("mode, enabled, approval", [("closed", False, False), ("approval", True, True)])
async def test_registration_mode_in_the_instance(start_node, http, mode, enabled, approval):
    node = await start_node(registrations=mode)
    async with http.get(f"{node.base_url}/api/v1/instance") as response:
        v1 = await response.json()
    async with http.get(f"{node.base_url}/api/v2/instance/") as response:
        v2 = await response.json()
    assert (v1["registrations"], v1["approval_required"]) == (enabled, approval)
    assert (v2["registrations"]["enabled"], v2["registrations"]["approval_required"]) == (enabled, approval)


async def test_instance_counts_users(node):
    await node.create_user("alice")
    v1 = await node.call(node.client().instance_v1)
    assert v1["stats"]["user_count"] == 1


async def test_launch_endpoints(node):
    await node.create_user("alice")
    api = await node.password_token("alice")
    prefs = await node.call(api.preferences)
    assert prefs["posting:default:visibility"] == "public"
    for call in (api.custom_emojis, api.lists, api.filters, api.filters_v2, api.announcements, api.followed_tags,
                 api.follow_requests, api.trending_tags, api.trending_statuses, api.trending_links,
                 api.suggestions_v1, api.suggestions_v2, api.instance_rules, api.instance_peers,
                 api.instance_activity):
        assert list(await node.call(call)) == [], call.__name__
    assert (await node.call(api.instance_extended_description))["content"].startswith("<p>")


async def test_markers_are_stored(node):
    await node.create_user("alice")
    api = await node.password_token("alice")
    assert dict(await node.call(api.markers_get, ["home", "notifications"])) == {}
    saved = await node.call(api.markers_set, ["home", "notifications"], [1234, 99])
    assert saved["home"]["last_read_id"] == "1234" and saved["home"]["version"] == 1
    again = await node.call(api.markers_set, "home", 5678)
    assert again["home"]["version"] == 2 and "notifications" not in again
    markers = await node.call(api.markers_get, ["home", "notifications"])
    assert markers["home"]["last_read_id"] == "5678"
    assert markers["notifications"]["last_read_id"] == "99"
    assert markers["home"]["updated_at"] is not None


async def test_markers_form_body_and_bad_ids(node, http):
    await node.create_user("alice")
    api = await node.password_token("alice")
    headers = {"Authorization": f"Bearer {api.access_token}"}
    async with http.post(f"{node.base_url}/api/v1/markers", data={"home[last_read_id]": "42"},
                         headers=headers) as response:
        assert response.status == 200
        assert (await response.json())["home"]["last_read_id"] == "42"
    async with http.post(f"{node.base_url}/api/v1/markers", json={"home": {"last_read_id": "abc"}},
                         headers=headers) as response:
        assert response.status == 422


async def test_read_only_token_cannot_write(node, http):
    await node.create_user("alice")
    api = await node.password_token("alice", scopes=["read"])
    with pytest.raises(MastodonAPIError) as error:
        await node.call(api.markers_set, "home", 1)
    assert error.value.args[1] == 403
    async with http.post(f"{node.base_url}/api/v1/markers", json={"home": {"last_read_id": "1"}},
                         headers={"Authorization": f"Bearer {api.access_token}"}) as response:
        assert response.status == 403
        assert await response.json() == {"error": "This action is outside the authorized scopes"}


async def test_narrow_scopes_are_enforced(node, http):
    await node.create_user("alice")
    api = await node.password_token("alice", scopes=["write:statuses", "read:lists"])
    headers = {"Authorization": f"Bearer {api.access_token}"}
    async with http.post(f"{node.base_url}/api/v1/markers", json={"home": {"last_read_id": "1"}},
                         headers=headers) as response:
        assert response.status == 200
    async with http.get(f"{node.base_url}/api/v1/lists", headers=headers) as response:
        assert response.status == 200
    async with http.get(f"{node.base_url}/api/v1/filters", headers=headers) as response:
        assert response.status == 403
    # `follow` grants read:follows, the scope of the follow-request list.
    follow = await node.password_token("alice", scopes=["follow"])
    async with http.get(f"{node.base_url}/api/v1/follow_requests",
                        headers={"Authorization": f"Bearer {follow.access_token}"}) as response:
        assert response.status == 200


async def test_missing_and_bad_tokens(node, http):
    for headers in ({}, {"Authorization": "Bearer nonsense"}):
        async with http.get(f"{node.base_url}/api/v1/preferences", headers=headers) as response:
            assert response.status == 401
            assert await response.json() == {"error": "The access token is invalid"}
    async with http.get(f"{node.base_url}/api/v1/preferences?access_token=nonsense") as response:
        assert response.status == 401


async def test_app_token_is_not_a_user(node, http):
    client_id, client_secret = await node.register_app()
    async with http.post(f"{node.base_url}/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
        "scope": "read",
    }) as response:
        token = (await response.json())["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    async with http.get(f"{node.base_url}/api/v1/accounts/verify_credentials", headers=headers) as response:
        assert response.status == 422
        assert await response.json() == {"error": "This method requires an authenticated user"}
    async with http.get(f"{node.base_url}/api/v1/apps/verify_credentials", headers=headers) as response:
        assert (await response.json())["name"] == "Muralist tests"


async def test_unknown_api_path_is_json_404(node, http):
    for path in ("/api/v1/nothing-here", "/api/v1/accounts/not-a-number", "/api/v1/accounts/123456"):
        async with http.get(node.base_url + path) as response:
            assert response.status == 404, path
            assert response.content_type == "application/json"
            assert "error" in await response.json()


async def test_trailing_slashes(node, http):
    for path in ("/api/v1/instance/", "/api/v2/instance/", "/.well-known/oauth-authorization-server/",
                 "/api/v1/custom_emojis/"):
        async with http.get(node.base_url + path) as response:
            assert response.status == 200, path
    client_id, client_secret = await node.register_app()
    async with http.post(f"{node.base_url}/oauth/token/", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
    }) as response:
        assert response.status == 200


async def test_cors_exposes_link(node, http):
    async with http.get(f"{node.base_url}/api/v2/instance", headers={"Origin": "https://elk.zone"}) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Link" in response.headers["Access-Control-Expose-Headers"]
