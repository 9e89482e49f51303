"""The inbox handler registry: one async handler per activity type, looked up by the worker.

A handler gets the context, the session of the attempt's transaction, the activity and its
already-resolved actor. It reads the activity into typed values (activitypub.inbox.parse),
checks that the actor may do this (it is the author, the follower, the one who liked), and
calls the same social action the client API calls (node/actions). It never sends anything
over the network itself; fetching a missing object is allowed.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.fetch import Fetcher
from storage.models import Account

from ...settings import Settings


@dataclass(frozen=True)
class HandlerContext:
    """What handlers need beyond the database: the settings and the signed fetcher."""

    settings: Settings
    fetcher: Fetcher


Handler = Callable[[HandlerContext, AsyncSession, dict, Account], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}


def handles(*activity_types: str):
    def register(handler: Handler) -> Handler:
        for activity_type in activity_types:
            HANDLERS[activity_type] = handler
        return handler

    return register


def handler_for(activity_type: str) -> Handler | None:
    # Importing the package registers every handler module.
    from . import answers, blocks, featured, flags, follows, moves, posts, quote_requests, reactions, undo, updates  # noqa: F401

    return HANDLERS.get(activity_type)
