"""The handler registry: one async handler per activity type, looked up by the worker.

Each handler receives the processing context, the session of the attempt's transaction, the
activity and the already-resolved actor account. Handlers write rows and queue deliveries;
they never send anything over the network themselves (fetching a missing object is allowed).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account


@dataclass
class InboxContext:
    """What handlers need beyond the database: a signed fetcher and the node's own origin."""

    fetcher: object
    local_domain: str
    events: list = field(default_factory=list)

    def emit(self, kind: str, **payload) -> None:
        """Record a side effect for local surfacing (streaming) once the transaction commits."""
        self.events.append((kind, payload))


Handler = Callable[[InboxContext, AsyncSession, dict, Account], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}


def handles(*activity_types: str):
    def register(handler: Handler) -> Handler:
        for activity_type in activity_types:
            HANDLERS[activity_type] = handler
        return handler

    return register


def handler_for(activity_type: str) -> Handler | None:
    # Importing the package registers every handler module.
    from . import handlers  # noqa: F401

    return HANDLERS.get(activity_type)
