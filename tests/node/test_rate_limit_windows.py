"""The counting under the rate limits: fixed windows, bounded memory, the client's address, and
which requests each limit counts."""

from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request

from node.errors import RateLimited
from node.rate_limits import Attempt, RateLimits, Windows
from node.settings import Settings


class Clock:
    def __init__(self, now: float = 1_767_323_045.678) -> None:  # 2026-01-02T03:04:05.678Z
        self.now = now

    def __call__(self) -> float:
        return self.now


def _request(method="GET", path="/", headers=None, remote="203.0.113.7"):
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (remote, 40000) if name == "peername" else default
    return make_mocked_request(method, path, headers=headers or {}, transport=transport)


def test_a_window_allows_its_limit_then_refuses_until_it_ends():
    clock = Clock()
    windows = Windows(3, 60, clock)
    verdicts = [windows.hit("a") for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0]
    clock.now += 20.5
    refused = windows.hit("a")
    assert not refused.allowed and refused.retry_after == 40 and refused.reset_at == verdicts[0].reset_at
    assert windows.hit("b").allowed  # another key, another window
    clock.now += 40
    again = windows.hit("a")
    assert again.allowed and again.remaining == 2 and again.reset_at == clock.now + 60


def test_forgiven_hits_do_not_count():
    windows = Windows(2, 60, Clock())
    for _ in range(5):
        assert windows.hit("a").allowed
        windows.forgive("a")
    windows.forgive("never seen")  # nothing to take back


def test_memory_holds_only_live_windows_and_at_most_max_keys():
    clock = Clock()
    windows = Windows(1, 60, clock, max_keys=100)
    for n in range(250):
        windows.hit(f"key {n}")
    assert len(windows) == 100
    # The dropped keys were the oldest; the newest still count.
    assert not windows.hit("key 249").allowed
    clock.now += 61
    windows.hit("fresh")
    assert len(windows) == 1


def test_headers_are_mastodons():
    verdict = Windows(300, 300, Clock()).hit("a")
    assert verdict.headers() == {
        "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299", "X-RateLimit-Reset": "2026-01-02T03:09:05.678Z",
    }


@pytest.mark.parametrize("proxies, remote, forwarded, address", [
    (0, "203.0.113.7", None, "203.0.113.7"),
    (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # an untrusted header is ignored
    (1, "127.0.0.1", "198.51.100.1", "198.51.100.1"),
    # Only the hop the proxy appended can be trusted; the client wrote the ones before it.
    (1, "127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),
    (2, "127.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
    (2, "127.0.0.1", "198.51.100.1", "198.51.100.1"),  # fewer hops than proxies: the farthest one
    (1, "127.0.0.1", None, "127.0.0.1"),
    (1, "127.0.0.1", "198.51.100.1:51234", "198.51.100.1"),  # a port some proxies add
    (1, "127.0.0.1", "[2001:db8:1:2::9]:443", "2001:db8:1:2::/64"),
    (1, "127.0.0.1", "not an address", "not an address"),
    (0, "2001:db8:1:2:3:4:5:6", None, "2001:db8:1:2::/64"),  # one IPv6 host usually holds a /64
    (0, "::ffff:198.51.100.1", None, "198.51.100.1"),
])
def test_client_address(proxies, remote, forwarded, address):
    limits = RateLimits(Settings(trusted_proxies=proxies))
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    assert limits.client_ip(_request(headers=headers, remote=remote)) == address


@pytest.mark.parametrize("method, path, counted_by", [
    ("GET", "/api/v1/timelines/public", "api"),
    ("POST", "/api/v1/statuses", "api"),
    ("POST", "/inbox", "inbox"),
    ("POST", "/inbox/", "inbox"),
    ("POST", "/actor/inbox", "inbox"),
    ("POST", "/users/alice/inbox", "inbox"),
    ("GET", "/users/alice/inbox", None),
    ("POST", "/users/alice/outbox", None),
    ("POST", "/users//inbox", None),
    ("POST", "/oauth/token", None),  # counted where the password is checked
    ("GET", "/users/alice", None),
])
def test_which_limit_counts_a_request(method, path, counted_by):
    limits = RateLimits(Settings(rate_limit_api="1 per minute", rate_limit_inbox="1 per minute"))
    verdict = limits.count_request(_request(method, path))
    if counted_by is None:
        assert verdict is None
        return
    assert verdict.advertised == (counted_by == "api")
    assert not limits.count_request(_request(method, path)).allowed


def test_api_calls_count_per_token_else_per_address():
    limits = RateLimits(Settings(rate_limit_api="1 per minute"))
    one = {"Authorization": "Bearer one"}
    assert limits.count_request(_request(path="/api/v1/accounts/verify_credentials", headers=one)).allowed
    assert not limits.count_request(_request(path="/api/v1/notifications", headers=one, remote="198.51.100.9")).allowed
    # A WebSocket's token comes in the query, as the streaming API takes it.
    assert limits.count_request(_request(path="/api/v1/streaming?access_token=two")).allowed
    assert limits.count_request(_request(path="/api/v1/instance")).allowed
    assert not limits.count_request(_request(path="/api/v1/instance")).allowed
    assert limits.count_request(_request(path="/api/v1/instance", remote="198.51.100.9")).allowed


def test_unlimited_kinds_count_nothing():
    limits = RateLimits(Settings(rate_limit_api="unlimited", rate_limit_inbox="unlimited",
                                 rate_limit_sign_in_ip="unlimited", rate_limit_sign_in_account="unlimited",
                                 rate_limit_sign_up="unlimited"))
    assert limits.count_request(_request(path="/api/v1/instance")) is None
    assert limits.count_request(_request("POST", "/inbox")) is None
    attempt = Attempt(limits, "203.0.113.7")
    for _ in range(100):
        attempt.count_sign_in()
        attempt.count_account("account:1")
        attempt.count_sign_up()


def test_an_attempt_counts_against_every_limit_and_is_forgiven_as_a_whole():
    limits = RateLimits(Settings(rate_limit_sign_in_ip="2 per minute", rate_limit_sign_in_account="3 per hour"),
                        clock=Clock())
    right = Attempt(limits, "203.0.113.7")
    right.count_sign_in()
    right.count_account("account:1")
    right.forgive()
    for address in ("203.0.113.7", "203.0.113.7", "198.51.100.1"):
        wrong = Attempt(limits, address)
        wrong.count_sign_in()
        wrong.count_account("account:1")
    with pytest.raises(RateLimited) as info:
        Attempt(limits, "203.0.113.7").count_sign_in()
    assert info.value.retry_after == 60 and str(info.value) == "Too many requests"
    with pytest.raises(RateLimited) as info:
        Attempt(limits, "192.0.2.1").count_account("account:1")
    assert info.value.retry_after == 3600


def test_a_used_allowance_is_logged_once_per_window(caplog):
    clock = Clock()
    windows = Windows(2, 60, clock, name="api")
    with caplog.at_level("INFO", logger="node.rate_limits"):
        for _ in range(50):
            windows.hit("ip:203.0.113.7")
        clock.now += 60
        for _ in range(3):
            windows.hit("ip:203.0.113.7")
    assert [record.getMessage() for record in caplog.records] == [
        "rate limit api: ip:203.0.113.7 used its 2 per 60 s; refused for 60 s",
    ] * 2
