"""Reading incoming activities into typed values: who did what to which object.

Handlers (node/federation/handlers) work on these values rather than on raw JSON. Each
parser raises InvalidActivity when a part it needs is missing, and smooths over the shapes
real servers send: an object given by id or embedded, an Accept or Undo whose embedded
activity carries a re-minted id (matched later by its actor and object instead), an
Announce without an audience (public, as Mastodon reads it).
"""

from dataclasses import dataclass
from datetime import datetime

from ..errors import InvalidActivity
from ..shapes import audience, id_of, require_id, types_of
from .note_parse import parse_time, visibility_of


@dataclass(frozen=True)
class Pointing:
    """An activity about one object by its id: Follow (of an actor), Like, EmojiReact."""

    activity_uri: str
    actor_uri: str
    object_uri: str


@dataclass(frozen=True)
class Boost:
    """An Announce: `visibility` from its own audience; None when it names none."""

    activity_uri: str
    actor_uri: str
    object_uri: str
    visibility: str | None
    published: datetime | None


@dataclass(frozen=True)
class Answer:
    """An Accept or Reject of a Follow: the Follow's id, and (when embedded) who sent it."""

    follow_uri: str | None
    follower_uri: str | None


@dataclass(frozen=True)
class Withdrawal:
    """An Undo: the types of the activity it takes back (empty when only its id was sent),
    that activity's id, and the object it was about (to match a re-minted id by its pair)."""

    kinds: frozenset[str]
    original_uri: str | None
    object_uri: str | None


def _actor(activity: dict) -> str:
    return require_id(activity.get("actor"), "the activity's actor")


def parse_pointing(activity: dict, what: str) -> Pointing:
    object_uri = id_of(activity.get("object"))
    if not object_uri:
        raise InvalidActivity(f"{what} without an object")
    return Pointing(require_id(activity.get("id"), what), _actor(activity), object_uri)


def parse_boost(activity: dict, followers_uri: str | None) -> Boost:
    object_uri = id_of(activity.get("object"))
    if not object_uri:
        raise InvalidActivity("Announce without an object")
    visibility = visibility_of(activity, followers_uri) if audience(activity) else None
    return Boost(require_id(activity.get("id"), "Announce"), _actor(activity), object_uri, visibility,
                 parse_time(activity.get("published")))


def parse_answer(activity: dict) -> Answer:
    """Accept/Reject{Follow}: some servers embed the Follow, some send its id only."""
    obj = activity.get("object")
    follower_uri = id_of(obj.get("actor")) if isinstance(obj, dict) and "Follow" in types_of(obj) else None
    return Answer(id_of(obj), follower_uri)


def parse_withdrawal(activity: dict) -> Withdrawal:
    """Undo: InvalidActivity when the embedded activity names another actor (nobody may undo
    someone else's activity)."""
    original = activity.get("object")
    if isinstance(original, dict):
        original_actor = id_of(original.get("actor"))
        if original_actor not in (None, id_of(activity.get("actor"))):
            raise InvalidActivity("an Undo of someone else's activity")
        return Withdrawal(frozenset(types_of(original)), id_of(original), id_of(original.get("object")))
    return Withdrawal(frozenset(), id_of(original), None)


def parse_deleted(activity: dict) -> str:
    """The id of what a Delete removes (a Tombstone, an id, or the actor itself)."""
    object_uri = id_of(activity.get("object"))
    if not object_uri:
        raise InvalidActivity("Delete without an object")
    return object_uri
