"""The inbox's first check: requests from a server the admins suspended are refused (403)
before their signature is verified, as Mastodon refuses them. The list of suspended servers
is read at most once a second (the admin API forgets it at once when it changes); the worker
checks again before any activity is processed (node/federation/processing.py)."""

import re
import time

from aiohttp import web
from sqlalchemy import select

from storage.models import DomainBlock
from storage.states import DomainBlockSeverity

from activitypub.shapes import host_of

from ..errors import Forbidden

FRESH_FOR = 1.0


class SuspendedDomains:
    def __init__(self, sessionmaker) -> None:
        self._sessionmaker = sessionmaker
        self._domains: frozenset[str] = frozenset()
        self._read_at = float("-inf")

    def forget(self) -> None:
        self._read_at = float("-inf")

    async def contains(self, host: str) -> bool:
        if time.monotonic() - self._read_at > FRESH_FOR:
            async with self._sessionmaker() as session:
                rows = await session.execute(select(DomainBlock.domain).where(
                    DomainBlock.severity == DomainBlockSeverity.SUSPEND))
                self._domains = frozenset(rows.scalars())
            self._read_at = time.monotonic()
        return host.lower() in self._domains


SUSPENDED_DOMAINS = web.AppKey("suspended_domains", SuspendedDomains)
# The keyId of a draft-cavage `Signature` or an RFC 9421 `Signature-Input`.
KEY_ID = re.compile(r'keyid="([^"]{1,2048})"', re.IGNORECASE)


def signer_host(request: web.Request) -> str | None:
    """The host of the key a request says it is signed with (not verified yet)."""
    for header in ("Signature", "Signature-Input"):
        found = KEY_ID.search(request.headers.get(header, ""))
        if found:
            try:
                return host_of(found.group(1))
            except ValueError:  # no URL at all ("http://[x"): the signature check answers 401
                return None
    return None


async def refuse_suspended(request: web.Request) -> None:
    host = signer_host(request)
    if host and await request.app[SUSPENDED_DOMAINS].contains(host):
        raise Forbidden(f"{host} is suspended on this server")
