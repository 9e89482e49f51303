"""The SSRF guard: outgoing fetches and deliveries never reach private, loopback or link-local
addresses unless the node is configured for a local multi-node setup.

The check sits in the connector's resolver, so the address that is checked is the address
that is connected to (a DNS answer cannot change between check and use); literal IPs in URLs,
which aiohttp does not resolve, are checked before the request.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import DefaultResolver

from .errors import BlockedAddress, FetchError


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class GuardedResolver(AbstractResolver):
    """Resolves like the default resolver and drops every non-public answer."""

    def __init__(self, allow_private: bool) -> None:
        self._inner = DefaultResolver()
        self._allow_private = allow_private

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        answers = await self._inner.resolve(host, port, family)
        if self._allow_private:
            return answers
        allowed = [answer for answer in answers if is_public_address(answer["host"])]
        if not allowed:
            raise BlockedAddress(f"{host} resolves only to private or local addresses")
        return allowed

    async def close(self) -> None:
        await self._inner.close()


def check_url(url: str, allow_private: bool) -> str:
    """Refuse URLs we must never request; returns the host."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url!r}")
    if parts.username or parts.password:
        raise FetchError("URLs with credentials are refused")
    if not allow_private:
        try:
            literal = ipaddress.ip_address(parts.hostname)
        except ValueError:
            literal = None
        if literal is not None and not is_public_address(str(literal)):
            raise BlockedAddress(f"{parts.hostname} is not a public address")
        if parts.hostname == "localhost" or parts.hostname.endswith(".localhost"):
            raise BlockedAddress("localhost is not a public address")
    return parts.hostname


def guarded_session(allow_private: bool, *, limit_per_host: int = 8, total_limit: int = 200,
                    user_agent: str = "Muralist") -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(
        resolver=GuardedResolver(allow_private), limit=total_limit, limit_per_host=limit_per_host,
        ttl_dns_cache=300,
    )
    return aiohttp.ClientSession(connector=connector, headers={"User-Agent": user_agent},
                                 auto_decompress=True, trust_env=False)
