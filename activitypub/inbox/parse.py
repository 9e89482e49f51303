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
from ..shapes import audience, id_of, require_id, same_origin, types_of
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
    """An Accept or Reject: the id of what it answers (a Follow, a QuoteRequest), that
    activity's types and actor when embedded, and the `result` (a QuoteAuthorization)."""

    object_uri: str | None
    object_types: frozenset[str]
    object_actor_uri: str | None
    result_uri: str | None

    @property
    def answers_follow(self) -> bool:
        return "Follow" in self.object_types or not self.object_types

    @property
    def answers_quote_request(self) -> bool:
        return "QuoteRequest" in self.object_types or not self.object_types


@dataclass(frozen=True)
class QuoteRequest:
    """A QuoteRequest: who asks to quote which post with which of their posts (`instrument`,
    embedded as Mastodon sends it, or only its id)."""

    activity_uri: str
    actor_uri: str
    object_uri: str
    instrument_uri: str
    instrument: dict | None


@dataclass(frozen=True)
class Authorization:
    """A QuoteAuthorization: the quoted author's consent to one quote of one post."""

    authorization_uri: str
    attributed_to: str
    interacting_object: str
    interaction_target: str


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
    """Accept/Reject: some servers embed what they answer, some send its id only."""
    obj = activity.get("object")
    embedded = isinstance(obj, dict)
    return Answer(id_of(obj), frozenset(types_of(obj)) if embedded else frozenset(),
                  id_of(obj.get("actor")) if embedded else None, id_of(activity.get("result")))


def parse_quote_request(activity: dict) -> QuoteRequest:
    """InvalidActivity unless the request names the post to quote and the quoting post, and
    its id is on the requester's own server."""
    actor_uri = _actor(activity)
    request_uri = require_id(activity.get("id"), "QuoteRequest")
    if not same_origin(request_uri, actor_uri):
        raise InvalidActivity("the QuoteRequest's id is not on its actor's server")
    object_uri = id_of(activity.get("object"))
    instrument = activity.get("instrument")
    instrument_uri = id_of(instrument)
    if not object_uri or not instrument_uri:
        raise InvalidActivity("a QuoteRequest names the quoted post and the quoting post")
    return QuoteRequest(request_uri, actor_uri, object_uri, instrument_uri,
                        instrument if isinstance(instrument, dict) and len(instrument) > 2 else None)


def parse_authorization(document: dict, authorization_uri: str) -> Authorization:
    """A fetched QuoteAuthorization; InvalidActivity unless it is one, served at its own id
    from its author's server."""
    if "QuoteAuthorization" not in types_of(document):
        raise InvalidActivity("not a QuoteAuthorization")
    if id_of(document.get("id")) != authorization_uri:
        raise InvalidActivity("the QuoteAuthorization is not served at its id")
    attributed_to = id_of(document.get("attributedTo"))
    interacting, target = id_of(document.get("interactingObject")), id_of(document.get("interactionTarget"))
    if not attributed_to or not interacting or not target:
        raise InvalidActivity("a QuoteAuthorization names its author, the quote and the quoted post")
    if not same_origin(authorization_uri, attributed_to):
        raise InvalidActivity("the QuoteAuthorization is not on its author's server")
    return Authorization(authorization_uri, attributed_to, interacting, target)


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
