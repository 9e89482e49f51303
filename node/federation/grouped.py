"""Storing a busy peer's posts in groups: the Creates of a claimed batch whose post travels
embedded, by an actor already known and fresh, quoting nothing, are stored together in one
transaction (node.actions.receive_posts: the same rules as one post at a time, in a fixed
number of statements), and their items settled in it. Everything else (a post that needs a
fetch, a quote, an actor to resolve, another type) goes one item at a time, as before.

Why: the inbox's own work per post is small; what costs is a transaction and a dozen
awaited statements for each (DESIGN.md, "Where the time goes").
"""

import json

from sqlalchemy.ext.asyncio import async_sessionmaker

from activitypub.errors import FederationError
from activitypub.inbox.note_parse import is_post, parse_note, quote_uri_of
from activitypub.inbox.question_parse import vote_of
from activitypub.resolver import is_fresh
from storage.models import InboxItem
from storage.repositories import accounts as account_repo
from storage.repositories import queues

from .. import actions
from .handlers.registry import HandlerContext

MIN_GROUP = 2


def _embedded_post(item: InboxItem) -> dict | None:
    """The post a Create carries in full, if that is what the item is."""
    if item.activity_type != "Create":
        return None
    try:
        activity = json.loads(item.body)
    except ValueError:
        return None
    note = activity.get("object") if isinstance(activity, dict) else None
    # The same test the Create handler makes before it would fetch the object instead.
    if not isinstance(note, dict) or len(note) <= 2 or not is_post(note) or quote_uri_of(note):
        return None
    if vote_of(note) is not None:
        return None  # a poll vote is counted by the Create handler, one at a time
    return note


def group_handler(ctx: HandlerContext, sessionmaker: async_sessionmaker):
    """The `handle_group(items)` that activitypub.inbox.process runs on each claimed batch."""

    async def handle_group(items: list[InboxItem]) -> set[int]:
        candidates = [(item, note) for item in items if (note := _embedded_post(item)) is not None]
        if len(candidates) < MIN_GROUP:
            return set()
        async with sessionmaker() as session:
            actors = await account_repo.get_accounts_by_uris(session, {item.actor_uri for item, _ in candidates})
            group = []
            for item, note in candidates:
                actor = actors.get(item.actor_uri)
                if actor is None or actor.domain is None or actor.gone_at is not None or not is_fresh(actor) \
                        or actor.suspended_at is not None:  # ignored one at a time (processing.py)
                    continue
                try:
                    group.append((item, actor, parse_note(note, actor.actor_uri, actor.followers_uri)))
                except FederationError:
                    continue  # refused one at a time, with its reason on its row
            if len(group) < MIN_GROUP:
                return set()
            await actions.receive_posts(session, ctx.settings, [(actor, note, None) for _item, actor, note in group])
            ids = [item.id for item, _actor, _note in group]
            settled = await queues.settle_done_many(session, InboxItem, ids, {item.id: item.lease_token for item, *_ in group})
            if settled != len(ids):
                raise RuntimeError("another worker took over part of the group")
            await session.commit()
        return set(ids)

    return handle_group
