"""Rate limits over real HTTP: wrong passwords at the token endpoint and at the sign-in form,
sign-ups, client-API calls with Mastodon's X-RateLimit-* headers, and inbox deliveries.

Time moves by replacing the limits' clock, never by sleeping.
"""

import re
from datetime import datetime, timezone

from node.rate_limits import RATE_LIMITS
from tests.api.conftest import PASSWORD, authorize

ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
TOO_MANY = {"error": "Too many requests"}


def _move_clock(node, seconds: float) -> None:
    limits = node.app[RATE_LIMITS]
    start = limits.clock()
    limits.clock = lambda: start + seconds


async def _password_grant(node, http, app: tuple[str, str], login: str, password: str, forwarded_for=None):
    client_id, client_secret = app
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    async with http.post(f"{node.base_url}/oauth/token", headers=headers, data={
        "grant_type": "password", "username": login, "password": password,
        "client_id": client_id, "client_secret": client_secret, "scope": "read",
    }) as response:
        return response.status, dict(response.headers), await response.json()


async def test_forty_wrong_passwords_are_slowed_down_and_then_the_right_one_waits_too(node, http):
    """The defaults: 25 wrong passwords per 5 minutes per address, 25 per hour per account."""
    await node.create_user("ivy")
    app = await node.register_app()
    answers = [await _password_grant(node, http, app, "ivy", f"guess {n}") for n in range(40)]
    assert [status for status, _, _ in answers] == [400] * 25 + [429] * 15
    assert answers[0][2]["error"] == "invalid_grant"
    _, headers, body = answers[-1]
    assert body == TOO_MANY
    assert 1 <= int(headers["Retry-After"]) <= 300
    # Were the right password let through now, a guesser could tell it from the 429s.
    status, headers, body = await _password_grant(node, http, app, "ivy", PASSWORD)
    assert status == 429 and body == TOO_MANY and "Retry-After" in headers
    # After five minutes the address may try again, but the account's hour is not over.
    _move_clock(node, 301)
    status, _, _ = await _password_grant(node, http, app, "ivy@example.org", PASSWORD)
    assert status == 429
    _move_clock(node, 3601)
    status, _, token = await _password_grant(node, http, app, "ivy@example.org", PASSWORD)
    assert status == 200 and token["access_token"]


async def test_right_passwords_are_not_counted(start_node, http):
    node = await start_node(rate_limit_sign_in_ip="2 per minute")
    await node.create_user("jay")
    app = await node.register_app()
    for _ in range(5):
        status, _, _ = await _password_grant(node, http, app, "jay", PASSWORD)
        assert status == 200


async def test_an_account_is_guarded_against_guesses_from_many_addresses(start_node, http):
    node = await start_node(trusted_proxies=1, rate_limit_sign_in_account="3 per hour")
    await node.create_user("kim")
    await node.create_user("lee")
    app = await node.register_app()
    # Its username and its email share one allowance.
    for n, login in enumerate(["kim", "kim@example.org", "KIM"]):
        status, _, _ = await _password_grant(node, http, app, login, "guess", forwarded_for=f"198.51.100.{n}")
        assert status == 400
    status, headers, body = await _password_grant(node, http, app, "kim", PASSWORD, forwarded_for="192.0.2.9")
    assert status == 429 and body == TOO_MANY and int(headers["Retry-After"]) > 3500
    # Another account, from an address that guessed before, is not affected.
    status, _, _ = await _password_grant(node, http, app, "lee", PASSWORD, forwarded_for="198.51.100.0")
    assert status == 200


async def test_the_sign_in_form_says_when_to_come_back(start_node, http):
    node = await start_node(rate_limit_sign_in_ip="3 per minute")
    await node.create_user("max")
    client_id, _ = await node.register_app()
    url = f"{node.base_url}/oauth/authorize?client_id={client_id}&response_type=code&scope=read"
    for _ in range(3):
        assert (await authorize(http, url, "max", password="not it")).status == 422
    for password in ("not it", PASSWORD):
        refused = await authorize(http, url, "max", password=password)
        assert refused.status == 429
        assert int(refused.headers["Retry-After"]) <= 60
        assert "Too many sign-in attempts. Try again in a minute." in await refused.text()
    _move_clock(node, 61)
    assert (await authorize(http, url, "max")).status == 200  # the out-of-band code page


async def _app_token(node, http) -> str:
    client_id, client_secret = await node.register_app()
    async with http.post(f"{node.base_url}/oauth/token", json={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
        "scope": "write:accounts",
    }) as response:
        return (await response.json())["access_token"]


async def _sign_up(node, http, token: str, username: str) -> tuple[int, dict]:
    body = {"username": username, "email": f"{username}@example.org", "password": PASSWORD, "agreement": "true"}
    async with http.post(f"{node.base_url}/api/v1/accounts", data=body,
                         headers={"Authorization": f"Bearer {token}"}) as response:
        return response.status, dict(response.headers), await response.json()


async def test_sign_ups_per_address(start_node, http):
    node = await start_node(rate_limit_sign_up="2 per 30 minutes")
    token = await _app_token(node, http)
    assert (await _sign_up(node, http, token, "admin"))[0] == 422  # refused forms do not count
    assert (await _sign_up(node, http, token, "nia"))[0] == 200
    assert (await _sign_up(node, http, token, "oz"))[0] == 200
    status, headers, body = await _sign_up(node, http, token, "pat")
    assert status == 429 and body == TOO_MANY and 1790 <= int(headers["Retry-After"]) <= 1800
    _move_clock(node, 1801)
    assert (await _sign_up(node, http, token, "pat"))[0] == 200


async def test_every_api_answer_carries_mastodons_headers(node, http):
    token = await _app_token(node, http)
    for path, status in (("/api/v1/instance", 200), ("/api/v1/statuses/1", 403), ("/api/v1/nowhere", 404)):
        async with http.get(f"{node.base_url}{path}", headers={"Authorization": f"Bearer {token}"}) as response:
            assert response.status == status
            assert response.headers["X-RateLimit-Limit"] == "300"
            assert ISO_TIME.match(response.headers["X-RateLimit-Reset"])
            remaining = int(response.headers["X-RateLimit-Remaining"])
    assert remaining == 297
    reset = datetime.strptime(response.headers["X-RateLimit-Reset"], "%Y-%m-%dT%H:%M:%S.%fZ")
    left = reset.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
    assert 290 < left.total_seconds() <= 300
    async with http.get(f"{node.base_url}/.well-known/nodeinfo") as response:
        assert "X-RateLimit-Limit" not in response.headers


async def test_api_calls_per_token_and_per_address(start_node, http):
    node = await start_node(rate_limit_api="3 per minute")
    one, two = await _app_token(node, http), await _app_token(node, http)  # the apps count per address

    async def call(token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with http.get(f"{node.base_url}/api/v1/apps/verify_credentials", headers=headers) as response:
            return response.status, response.headers, await response.json()

    assert [(await call(one))[0] for _ in range(3)] == [200, 200, 200]
    status, headers, body = await call(one)
    assert status == 429 and body == TOO_MANY
    assert headers["X-RateLimit-Remaining"] == "0" and 1 <= int(headers["Retry-After"]) <= 60
    assert {"X-RateLimit-Reset", "Retry-After"} <= set(headers["Access-Control-Expose-Headers"].split(", "))
    assert (await call(two))[0] == 200
    # Without a token the address counts: two apps were registered from it, one call is left.
    assert (await call())[0] == 401
    assert (await call())[0] == 429
    _move_clock(node, 61)
    assert (await call(one))[0] == 200


async def test_inbox_posts_per_peer_address(start_node, http):
    node = await start_node(rate_limit_inbox="3 per minute")
    await node.create_user("quinn")
    headers = {"Content-Type": "application/activity+json"}
    statuses = []
    for path in ("/inbox", "/users/quinn/inbox", "/actor/inbox", "/inbox"):
        async with http.post(f"{node.base_url}{path}", data=b"{}", headers=headers) as response:
            statuses.append(response.status)
            answer = response.headers, await response.json()
    assert statuses == [400, 400, 400, 429]  # no digest or signature: refused, but counted all the same
    assert answer[1] == TOO_MANY and 1 <= int(answer[0]["Retry-After"]) <= 60
    async with http.get(f"{node.base_url}/users/quinn") as response:
        assert response.status == 200  # reading is not counted
    _move_clock(node, 61)
    async with http.post(f"{node.base_url}/inbox", data=b"{}", headers=headers) as response:
        assert response.status != 429
