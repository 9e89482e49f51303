"""The node's federation runtime: the guarded HTTP client, the signed fetcher of the instance
actor, the key resolver the inbox verifies with, and the events that wake the workers."""

import asyncio
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from activitypub.fetch import Fetcher
from activitypub.netguard import guarded_session
from activitypub.key_lookup import make_key_getter
from storage.repositories import accounts as account_repo

from .. import context
from ..version import __version__


@dataclass
class Federation:
    http: aiohttp.ClientSession
    fetcher: Fetcher
    get_key: object
    wakers: list[asyncio.Event] = field(default_factory=list)

    def waker(self) -> asyncio.Event:
        """An event of one worker loop's own, set by every `nudge`."""
        event = asyncio.Event()
        self.wakers.append(event)
        return event

    def nudge(self) -> None:
        """Tell in-process workers that new work was queued."""
        for event in self.wakers:
            event.set()


FEDERATION = web.AppKey("federation", Federation)


async def start_federation(settings, sessionmaker) -> Federation:
    async with sessionmaker() as session:
        instance = await account_repo.get_instance_actor(session)
    user_agent = f"Muralist/{__version__} (+{settings.base_url}/)"
    http = guarded_session(settings.allow_private_addresses, user_agent=user_agent)
    fetcher = Fetcher(http, key_id=instance.public_key_id, private_key_pem=instance.private_key_pem,
                      allow_private=settings.allow_private_addresses, scheme=settings.scheme)
    return Federation(http=http, fetcher=fetcher, get_key=make_key_getter(sessionmaker, fetcher, local_domain=settings.domain))


async def federation_ctx(app: web.Application):
    """cleanup_ctx entry: runs after the database is open."""
    federation = await start_federation(app[context.SETTINGS], app[context.SESSIONMAKER])
    app[FEDERATION] = federation
    yield
    await federation.http.close()
