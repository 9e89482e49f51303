"""What a stored inbox item means: resolve its actor, find the handler for its type, and
run it. The queue's discipline (claims, attempts, backoff, the retry cap) is
activitypub.inbox.process's; the handlers live in node/federation/handlers.

An action that refuses the activity (the actor may not see the post, may not follow that
account) raises the same error it raises to a local user; here that becomes an
InvalidActivity, so the item is marked failed at once with the reason, not retried.
"""

import json

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.errors import InvalidActivity
from activitypub.resolver import resolve_actor
from activitypub.shapes import host_of, storable
from storage.errors import NotFound
from storage.models import InboxItem
from storage.repositories import domain_blocks as domain_block_repo

from ..errors import ValidationError
from .handlers.registry import HandlerContext, handler_for


def item_handler(ctx: HandlerContext):
    """The `handle(session, item)` that activitypub.inbox.process runs for each attempt."""

    async def handle(session: AsyncSession, item: InboxItem) -> None:
        handler = handler_for(item.activity_type)
        if handler is None:
            return  # a type this node does not act on is done, not failed
        # Ids and text no column can hold (NUL, a lone surrogate) are dropped before any
        # handler sends them to the database.
        activity = storable(json.loads(item.body))
        if await domain_block_repo.is_suspended_domain(session, host_of(item.actor_uri)):
            return  # a suspended server's activities are ignored (and its actors not fetched)
        actor = await resolve_actor(session, ctx.fetcher, item.actor_uri, local_domain=ctx.settings.domain)
        if actor.suspended_at is not None:
            return  # so are a suspended account's, as on Mastodon
        try:
            await handler(ctx, session, activity, actor)
        except (ValidationError, NotFound) as exc:
            raise InvalidActivity(f"refused: {exc}") from exc

    return handle
