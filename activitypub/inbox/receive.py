"""Accepting a POST to an inbox: verify the signature and digest, check that the key's owner is
the activity's actor, and store the activity as a queued row keyed by its id. Processing
happens later in a worker; a duplicate delivery of the same activity id is a success."""

import asyncio
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import InboxItem
from storage.repositories.queues import mark_queued
from storage.snowflake import new_id
from storage.states import QueueState
from storage.types import utcnow

from ..errors import InvalidActivity, SignatureError
from ..shapes import id_of, same_origin, types_of
from ..signatures import KeyGetter, verify_request

MAX_ACTIVITY_BYTES = 1024 * 1024
# Real activities nest a handful of levels (Undo > Like, Create > Note > attachment > url);
# anything far deeper is an attack on whatever walks the document later.
MAX_DEPTH = 64
# Rows per group commit; a SQLite commit of 200 small rows costs little more than one of one.
MAX_GROUP = 200
# Column sizes of inbox_items (storage/models/queues.py): PostgreSQL refuses a longer value.
MAX_URI_CHARS = 2048
MAX_TYPE_CHARS = 64
# Neither database stores a lone surrogate (JSON lets "\ud800" through), PostgreSQL no NUL,
# and no IRI or type name has a control character in it.
_UNSTORABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


@dataclass
class Received:
    item_id: int | None
    duplicate: bool


def parse_activity(body: bytes) -> dict:
    """The activity in a body, or InvalidActivity (400) for anything that is not one."""
    if len(body) > MAX_ACTIVITY_BYTES:
        raise InvalidActivity("activity too large")
    try:
        # json.loads(bytes) would also take UTF-16 and UTF-32, which RFC 8259 section 8.1
        # rules out between systems, and the row keeps the body as UTF-8 text.
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidActivity("the body is not UTF-8") from exc
    try:
        activity = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InvalidActivity(f"body is not JSON: {exc}") from exc
    if not isinstance(activity, dict):
        raise InvalidActivity("an activity must be a JSON object")
    if _too_deep(activity):
        raise InvalidActivity(f"the activity nests deeper than {MAX_DEPTH} levels")
    if not types_of(activity):
        raise InvalidActivity("the activity has no type")
    actor = id_of(activity.get("actor"))
    if not actor or not actor.startswith(("https://", "http://")):
        raise InvalidActivity("the activity has no actor")
    _check_storable(actor, "the actor id")
    _check_storable(id_of(activity.get("id")), "the activity id")
    stored_type(activity)
    return activity


def _too_deep(document) -> bool:
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values() if isinstance(item, (dict, list)))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value if isinstance(item, (dict, list)))
    return False


def _check_storable(value: str | None, what: str) -> None:
    if value is None:
        return
    if len(value) > MAX_URI_CHARS or _UNSTORABLE.search(value):
        raise InvalidActivity(f"{what} is too long or has characters no IRI has")
    try:
        urlsplit(value)  # what same_origin() and the resolver do with it later
    except ValueError as exc:
        raise InvalidActivity(f"{what} is not a URL: {exc}") from exc


def stored_type(activity: dict) -> str:
    """The type the row is filed under: the first, alphabetically, that the column can hold."""
    usable = sorted(t for t in types_of(activity) if len(t) <= MAX_TYPE_CHARS and not _UNSTORABLE.search(t))
    if not usable:
        raise InvalidActivity("the activity has no type name this node can store")
    return usable[0]


def activity_key(activity: dict, body: bytes) -> str:
    """The activity id, or a content hash for the rare activity sent without one."""
    activity_uri = id_of(activity.get("id"))
    if activity_uri:
        return activity_uri
    return "urn:sha256:" + hashlib.sha256(body).hexdigest()


async def verify_and_parse(method: str, path_with_query: str, headers: Mapping, body: bytes,
                           get_key: KeyGetter, scheme: str, host: str) -> dict:
    """Check the signature, then that its key belongs to the activity's actor.

    `host` is this node's public host[:port]: the signature must name it, as it must name
    `path_with_query` (DESIGN.md: every request is bound to this node).
    """
    activity = parse_activity(body)
    verified = await verify_request(method, path_with_query, headers, body, get_key,
                                    scheme=scheme, host=host)
    actor_uri = id_of(activity["actor"])
    if verified.owner_uri != actor_uri:
        raise SignatureError(f"signed by {verified.owner_uri}, but the actor is {actor_uri}")
    activity_uri = id_of(activity.get("id"))
    # An activity minted on another server than its actor's is a forgery or a relay we do not trust.
    if activity_uri and not same_origin(activity_uri, actor_uri):
        raise InvalidActivity("the activity id and its actor are on different servers")
    return activity


def shared_lookups(get_key: KeyGetter) -> KeyGetter:
    """`get_key` where concurrent requests for the same key share one lookup.

    A busy peer sends many activities at once, all signed with the same key; each request
    asked the database (or the peer) on its own. A request that arrives while a lookup of
    its key is under way now waits for that lookup's answer instead of starting another.
    """
    in_flight: dict[tuple[str, bool], asyncio.Future] = {}

    def _finished(slot: tuple[str, bool], task: asyncio.Future) -> None:
        if in_flight.get(slot) is task:
            del in_flight[slot]
        if not task.cancelled():
            task.exception()  # retrieved here too, in case every waiter went away

    async def get_shared_key(key_id: str, refresh: bool = False):
        slot = (key_id, refresh)
        task = in_flight.get(slot)
        if task is None:
            task = asyncio.ensure_future(get_key(key_id, refresh=refresh))
            in_flight[slot] = task
            task.add_done_callback(lambda done: _finished(slot, done))
        # Shielded: one request going away must not cancel the lookup the others wait for.
        return await asyncio.shield(task)

    return get_shared_key


def _item_values(activity: dict, body: bytes, recipient_account_id: int | None) -> dict:
    now = utcnow()
    return {
        "id": new_id(),
        "activity_uri": activity_key(activity, body),
        "actor_uri": id_of(activity["actor"]),
        "activity_type": stored_type(activity),
        "body": body.decode("utf-8"),
        "recipient_account_id": recipient_account_id,
        "state": QueueState.QUEUED,
        "attempts": 0,
        "next_attempt_at": now,
        "received_at": now,
    }


def _new_item(activity: dict, body: bytes, recipient_account_id: int | None) -> InboxItem:
    return InboxItem(**_item_values(activity, body, recipient_account_id))


async def store_activity(session: AsyncSession, activity: dict, body: bytes,
                         recipient_account_id: int | None) -> Received:
    """Persist the activity for a worker; the same id twice is stored once."""
    key = activity_key(activity, body)
    existing = await session.execute(select(InboxItem.id).where(InboxItem.activity_uri == key))
    if existing.scalar_one_or_none() is not None:
        return Received(None, True)
    item = _new_item(activity, body, recipient_account_id)
    session.add(item)
    try:
        await session.commit()
    except IntegrityError:
        # Another request stored the same activity between our check and our insert.
        await session.rollback()
        return Received(None, True)
    return Received(item.id, False)


class InboxWriter:
    """Group commit for received activities: one transaction stores every activity that
    arrived while the previous transaction was committing.

    `store()` returns only once its row is committed, so "stored before 202" still holds;
    what changes is that concurrent requests share a commit instead of queueing for
    SQLite's single write lock one by one (DESIGN.md, "Where the time goes").
    """

    def __init__(self, sessionmaker: async_sessionmaker, *, max_group: int = MAX_GROUP) -> None:
        self._sessionmaker = sessionmaker
        self._max_group = max_group
        self._waiting: list[tuple[dict, bytes, int | None, asyncio.Future]] = []
        self._flusher: asyncio.Task | None = None

    async def store(self, activity: dict, body: bytes, recipient_account_id: int | None) -> Received:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((activity, body, recipient_account_id, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def close(self) -> None:
        """Finish the commits under way (no accepted activity is lost at shutdown)."""
        if self._flusher is not None:
            await self._flusher

    async def _flush(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting[:self._max_group], self._waiting[self._max_group:]
            try:
                results = await self._store_group(group)
            except Exception:  # noqa: BLE001 - retried item by item just below
                # One row the database refuses, or a key another process stored since our
                # check, must not fail the deliveries grouped with it: each is stored in a
                # transaction of its own, and only one that still fails answers with its error.
                results = [await self._store_one(activity, body, recipient) for activity, body, recipient, _ in group]
            for (*_, future), result in zip(group, results):
                if future.done():
                    continue  # the request went away; its row is stored all the same
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)

    async def _store_group(self, group: list) -> list[Received]:
        # Core INSERT with executemany rather than ORM objects: the unit of work cost more CPU
        # than the verification of the signatures it stores.
        rows = [_item_values(activity, body, recipient) for activity, body, recipient, _ in group]
        async with self._sessionmaker() as session:
            existing = await session.execute(
                select(InboxItem.activity_uri).where(InboxItem.activity_uri.in_({r["activity_uri"] for r in rows})))
            seen = set(existing.scalars())
            fresh = []
            for row in rows:
                # A key already stored, or twice in this group, is a duplicate delivery.
                fresh.append(row["activity_uri"] not in seen)
                seen.add(row["activity_uri"])
            new_rows = [row for row, new in zip(rows, fresh) if new]
            if new_rows:
                await session.execute(insert(InboxItem), new_rows)
                # A Core INSERT no flush event sees: the commit hook wakes the workers all the same.
                mark_queued(session)
            await session.commit()
        return [Received(row["id"], False) if new else Received(None, True) for row, new in zip(rows, fresh)]

    async def _store_one(self, activity: dict, body: bytes, recipient_account_id: int | None) -> Received | Exception:
        try:
            async with self._sessionmaker() as session:
                return await store_activity(session, activity, body, recipient_account_id)
        except Exception as exc:  # noqa: BLE001 - the error of this delivery alone
            return exc
