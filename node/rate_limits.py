"""Request rate limits as Mastodon has them: failed sign-ins per client IP and per account,
sign-ups per client IP, client-API calls per token (per client IP without one), and inbox
deliveries per peer IP. An answer past a limit is 429 with `Retry-After`.

Counts live in this process's memory, in fixed windows that start at a key's first request.
Several processes of one node (`muralist serve` behind a balancer) each keep their own
counts, so a client spread over N of them gets up to N times the allowance; counts also
start again after a restart. That is the price of needing no shared store.
"""

import hashlib
import ipaddress
import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone

from aiohttp import web

from .errors import RateLimited
from .settings import Settings

log = logging.getLogger(__name__)

TOO_MANY_REQUESTS = "Too many requests"  # Mastodon's body: {"error": "Too many requests"}
# Keys per limit kept at most (about 200 bytes each): a flood of new addresses or tokens
# cannot grow memory past this; the window nearest its end is dropped first.
MAX_KEYS = 50_000
INBOX_PATHS = frozenset({"/inbox", "/actor/inbox"})  # and /users/{name}/inbox, matched below


@dataclass(frozen=True)
class Verdict:
    """One request counted against one limit."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # Unix time at which the window ends
    retry_after: int  # whole seconds until then, at least 1
    advertised: bool = False  # whether to send the X-RateLimit-* headers on every answer

    def headers(self) -> dict[str, str]:
        """Mastodon's headers (docs.joinmastodon.org/api/rate-limits): the reset as ISO 8601."""
        reset = datetime.fromtimestamp(self.reset_at, timezone.utc)
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.") + f"{reset.microsecond // 1000:03d}Z",
        }

    def error(self) -> RateLimited:
        return RateLimited(TOO_MANY_REQUESTS, self.retry_after)


class Windows:
    """`limit` requests per key in fixed windows of `period` seconds.

    Every window of one limit has the same length and starts when it is created, so the
    dictionary's insertion order is also the order in which windows end: expired keys are
    popped from its front, which keeps memory to the keys seen in the last `period`.
    """

    def __init__(self, limit: int, period: int, clock, max_keys: int = MAX_KEYS, name: str = "") -> None:
        self.limit, self.period, self._clock, self._max_keys, self.name = limit, period, clock, max_keys, name
        self._counts: OrderedDict[str, list] = OrderedDict()  # key -> [window start, count]

    def hit(self, key: str, advertised: bool = False) -> Verdict:
        """Count one request for `key`; the verdict says whether it fits in the window."""
        now = self._clock()
        self._expire(now)
        entry = self._counts.get(key)
        if entry is None:
            entry = self._counts[key] = [now, 0]
            if len(self._counts) > self._max_keys:
                self._counts.popitem(last=False)
        entry[1] += 1
        reset_at = entry[0] + self.period
        if entry[1] == self.limit + 1:  # once per key and window: a flood of 429s is not a flood of lines
            log.info("rate limit %s: %s used its %d per %d s; refused for %d s", self.name, key, self.limit,
                     self.period, math.ceil(reset_at - now))
        return Verdict(
            allowed=entry[1] <= self.limit, limit=self.limit, remaining=max(0, self.limit - entry[1]),
            reset_at=reset_at, retry_after=max(1, math.ceil(reset_at - now)), advertised=advertised,
        )

    def forgive(self, key: str) -> None:
        """Take back one counted request (it turned out not to be the kind this limit counts)."""
        entry = self._counts.get(key)
        if entry is not None and entry[1] > 0:
            entry[1] -= 1

    def __len__(self) -> int:
        return len(self._counts)

    def _expire(self, now: float) -> None:
        while self._counts:
            start, _count = next(iter(self._counts.values()))
            if start + self.period > now:
                return
            self._counts.popitem(last=False)


class RateLimits:
    """The limits of one node (`app[RATE_LIMITS]`); an unlimited kind is None.

    `clock` is read on every count, so a test can move time forward instead of sleeping.
    """

    def __init__(self, settings: Settings, clock=time.time) -> None:
        self.clock = clock
        self.trusted_proxies = settings.trusted_proxies
        self._warned_proxy = False
        self.sign_in_ip = self._windows(settings, "sign_in_ip")
        self.sign_in_account = self._windows(settings, "sign_in_account")
        self.sign_up = self._windows(settings, "sign_up")
        self.api = self._windows(settings, "api")
        self.inbox = self._windows(settings, "inbox")

    def _windows(self, settings: Settings, kind: str) -> Windows | None:
        rate = settings.rate_limit(kind)
        return None if rate is None else Windows(*rate, clock=lambda: self.clock(), name=kind)

    def count_request(self, request: web.Request) -> Verdict | None:
        """The verdict for a client-API call or an inbox POST; None for requests no limit counts."""
        path = request.path.rstrip("/") or "/"
        if path.startswith("/api/") and self.api is not None:
            token = _bearer_token(request)
            if token is None:
                return self.api.hit("ip:" + self.client_ip(request), advertised=True)
            # The token's hash, not the token: the table holds no credential.
            return self.api.hit("token:" + hashlib.blake2b(token.encode(), digest_size=16).hexdigest(),
                                advertised=True)
        if request.method == "POST" and _is_inbox(path) and self.inbox is not None:
            # The signing server is known only after verification, which is the work to spare.
            return self.inbox.hit(self.client_ip(request))
        return None

    def client_ip(self, request: web.Request) -> str:
        """The address a limit counts: the peer's, or the one the trusted proxies forwarded.

        With N trusted proxies in front, the client is the N-th `X-Forwarded-For` hop from
        the right: each proxy appends the address it saw, while everything left of that
        was written by the client and may be forged. IPv6 counts per /64, as Mastodon's
        `throttleable_remote_ip` does, since one host is usually handed a whole /64.
        """
        hops = [hop.strip() for value in request.headers.getall("X-Forwarded-For", [])
                for hop in value.split(",") if hop.strip()]
        if self.trusted_proxies and hops:
            address = hops[-min(self.trusted_proxies, len(hops))]
        else:
            address = request.remote or "unknown"
            if hops and not self._warned_proxy:
                self._warned_proxy = True
                # Behind a reverse proxy that is left unsaid, every client shares the proxy's allowance.
                log.warning("a request from %s carries X-Forwarded-For, but MURALIST_TRUSTED_PROXIES is 0: rate "
                            "limits count the peer's address, not the forwarded one", address)
        return _address_key(address)


RATE_LIMITS = web.AppKey("rate_limits", RateLimits)


class Attempt:
    """One sign-in or sign-up, counted before it is judged and forgiven when it turns out not to
    be what its limits count: the limits count wrong passwords and accounts created.

    Counting first means that concurrent attempts see each other. Once wrong passwords use up
    an allowance, the right password is refused too until the window ends: were it let
    through, a guesser could tell it from the 429s and keep guessing at full speed.
    """

    def __init__(self, limits: RateLimits, client_ip: str) -> None:
        self.limits, self.client_ip = limits, client_ip
        self._counted: list[tuple[Windows, str]] = []

    def count_sign_in(self) -> None:
        """This client's sign-ins; RateLimited past MURALIST_RATE_LIMIT_SIGN_IN_IP."""
        self._count(self.limits.sign_in_ip, self.client_ip)

    def count_account(self, key: str) -> None:
        """Sign-ins to one account (or one unknown login) from anywhere; RateLimited past its limit."""
        self._count(self.limits.sign_in_account, key)

    def count_sign_up(self) -> None:
        """This client's sign-ups; RateLimited past MURALIST_RATE_LIMIT_SIGN_UP."""
        self._count(self.limits.sign_up, self.client_ip)

    def forgive(self) -> None:
        for windows, key in self._counted:
            windows.forgive(key)
        self._counted.clear()

    def _count(self, windows: Windows | None, key: str) -> None:
        if windows is None:
            return
        verdict = windows.hit(key)
        self._counted.append((windows, key))
        if not verdict.allowed:
            raise verdict.error()


def attempt(request: web.Request) -> Attempt:
    """A sign-in or sign-up attempt by the client that sent `request`."""
    limits = request.app[RATE_LIMITS]
    return Attempt(limits, limits.client_ip(request))


def _address_key(address: str) -> str:
    # Some proxies forward "203.0.113.7:51234" or "[2001:db8::1]:443": the port is not the client.
    if address.startswith("["):
        address = address[1:].partition("]")[0]
    elif address.count(":") == 1:
        address = address.partition(":")[0]
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address[:64]  # not an address (a unix socket, a proxy's odd header): count it as given
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _is_inbox(path: str) -> bool:
    if path in INBOX_PATHS:
        return True
    parts = path.split("/")  # "", "users", NAME, "inbox"
    return len(parts) == 4 and parts[1] == "users" and parts[3] == "inbox" and parts[2] != ""


def _bearer_token(request: web.Request) -> str | None:
    # The rule of api/auth.py's bearer_token (header, else `access_token` for WebSockets), read
    # here again because importing node/api from the middleware's module would be circular.
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query.get("access_token") or None

