"""Query strings and path ids over HTTP: the same typed parameters answer 400 naming the field
in a query string, repeated `id=` fields are a list, and an id past 2**63 in a path is a 404
(never a database overflow answered 500)."""

from tests.api.test_api_request_bodies import HUGE_ID, auth, call  # noqa: F401 - `auth` is a fixture


async def test_status_ids_past_64_bits_are_not_found(node, http, auth):
    status, _ = await call(http, "POST", f"{node.base_url}/api/v1/statuses", headers=auth,
                           json={"status": "x", "in_reply_to_id": HUGE_ID})
    assert status == 404
    for method, path in [("GET", ""), ("GET", "/context"), ("GET", "/history"), ("GET", "/source"),
                         ("PUT", ""), ("DELETE", ""), ("POST", "/favourite"), ("GET", "/favourited_by")]:
        status, error = await call(http, method, f"{node.base_url}/api/v1/statuses/{HUGE_ID}{path}",
                                   headers=auth, json={"status": "edited"} if method == "PUT" else None)
        assert status == 404 and "error" in error, (method, path)
    for path in (f"/api/v1/notifications/{HUGE_ID}", f"/api/v1/generations/{HUGE_ID}", f"/api/v1/media/{HUGE_ID}",
                 f"/api/v1/accounts/{HUGE_ID}"):
        status, error = await call(http, "GET", node.base_url + path, headers=auth)
        assert status == 404 and "error" in error, path
    status, _ = await call(http, "POST", f"{node.base_url}/api/v1/notifications/dismiss", headers=auth,
                           json={"id": HUGE_ID})
    assert status == 404


async def test_query_parameters(node, http, auth):
    base = node.base_url
    status, error = await call(http, "GET", f"{base}/api/v1/timelines/public?only_media=maybe")
    assert status == 400 and error["error"].startswith("only_media must be true or false")
    status, _ = await call(http, "GET", f"{base}/api/v1/timelines/public?only_media=FALSE&local=0")
    assert status == 200
    status, error = await call(http, "GET", f"{base}/api/v2/search?q=x&resolve=perhaps", headers=auth)
    assert status == 400 and error["error"].startswith("resolve must be true or false")
    me = (await call(http, "GET", f"{base}/api/v1/accounts/verify_credentials", headers=auth))[1]["id"]
    for query in (f"id[]={me}&id[]=1", f"id={me}&id=1", f"id={me}"):
        status, answer = await call(http, "GET", f"{base}/api/v1/accounts/relationships?{query}", headers=auth)
        assert status == 200 and [item["id"] for item in answer] == [me], query
    status, error = await call(http, "GET", f"{base}/api/v1/accounts/relationships?id[]={HUGE_ID}", headers=auth)
    assert status == 400 and error["error"].startswith("id must be a list of ids")
    status, error = await call(http, "GET", f"{base}/api/v1/follow_requests?max_id={HUGE_ID}", headers=auth)
    assert status == 400 and error["error"].startswith("max_id must be an id")
    status, error = await call(http, "GET", f"{base}/api/v1/notifications?account_id=abc", headers=auth)
    assert status == 400 and error["error"].startswith("account_id must be an id")


async def test_deeply_bracketed_query_names_are_refused(node, http):
    name = "only_media" + "[a]" * 600
    status, error = await call(http, "GET", f"{node.base_url}/api/v1/timelines/public?{name}=1")
    assert status == 400 and "nests deeper" in error["error"]
