"""Requests the fuzz suite found answering 500, each answered as a client's mistake now."""

from tests.api.conftest import SCOPES


async def test_a_multipart_part_header_with_a_control_character_is_a_400(node, http):
    await node.create_user("alice")
    api = await node.password_token("alice")
    body = b'--b\r\nContent-Disposition: form-data; name="\x1f"\r\n\r\nx\r\n--b--\r\n'
    async with http.patch(f"{node.base_url}/api/v1/accounts/update_credentials", data=body,
                          headers={"Authorization": f"Bearer {api.access_token}",
                                   "Content-Type": "multipart/form-data; boundary=b"}) as response:
        assert response.status == 400


async def test_a_static_name_too_long_for_the_filesystem_is_a_404(node, http):
    async with http.get(f"{node.base_url}/static/" + "a" * 256) as response:
        assert response.status == 404
    async with http.get(f"{node.base_url}/static/avatar.png") as response:
        assert response.status == 200 and response.content_type == "image/png"


async def test_a_non_ascii_csrf_token_is_an_expired_form_not_a_crash(node, http):
    client_id, _secret = await node.register_app(SCOPES, redirect_uris="urn:ietf:wg:oauth:2.0:oob")
    body = f"client_id={client_id}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&csrf_token=%C3%A9"
    async with http.post(f"{node.base_url}/oauth/authorize", data=body.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "Cookie": "muralist_oauth=n"}) as response:
        assert 400 <= response.status < 500


async def test_a_username_with_nul_names_nobody(node, http):
    await node.create_user("alice")
    for path in ("/users/alice%00", "/@alice%00", "/.well-known/webfinger?resource=acct:alice%00@x"):
        async with http.get(node.base_url + path, headers={"Accept": "application/activity+json"}) as response:
            assert response.status in (400, 404), path
