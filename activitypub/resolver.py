"""Resolving remote actors into account rows (public keys for the signature verifier are
looked up in `key_lookup`, on top of this).

Actor documents are read as the shapes Mastodon, Pixelfed, GoToSocial and Misskey send
(see `shapes`), every string is size-limited and every bit of HTML sanitized before it
reaches a column. Fetches go through a `Fetcher`, so the SSRF guard and origin checks
always apply; rows are flushed, never committed: the caller owns the transaction.
"""

import hashlib
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account
from storage.repositories import accounts as account_repo
from storage.types import utcnow

from .errors import FetchError, InvalidActivity
from .fetch import Fetcher
from .sanitize import sanitize_html
from .shapes import as_list, first_url, host_of, id_of, same_origin, storable, text_of, types_of

ACTOR_TYPES = ("Person", "Service", "Application", "Group", "Organization")
# Mastodon counts both automated actor types as bots (Account#bot?).
BOT_TYPES = {"Service", "Application"}
URI_LIMIT = 2048  # the width of the URI columns
USERNAME_LIMIT = 255
DOMAIN_LIMIT = 255
NAME_LIMIT = 500
NOTE_LIMIT = 20_000
PEM_LIMIT = 16_384
MAX_FIELDS = 16
FIELD_NAME_LIMIT = 255
FIELD_VALUE_LIMIT = 2048


# --- parsing ---------------------------------------------------------------------

def actor_to_account_fields(document: dict) -> dict:
    """Account column values of a remote actor document; InvalidActivity when it is not one."""
    document = storable(document)
    actor_uri, actor_type, username, inbox = _required_parts(document)
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    fields = {
        "actor_uri": actor_uri,
        "username": username,
        "domain": host_of(actor_uri)[:DOMAIN_LIMIT],
        "actor_type": actor_type,
        "display_name": text_of(document.get("name"), NAME_LIMIT).strip(),
        "note": sanitize_html(text_of(document.get("summary"), NOTE_LIMIT)),
        "url": _uri(first_url(document.get("url"))),
        "inbox_uri": inbox,
        "outbox_uri": _uri(document.get("outbox")),
        "shared_inbox_uri": _uri(endpoints.get("sharedInbox")),
        "followers_uri": _uri(document.get("followers")),
        "following_uri": _uri(document.get("following")),
        "featured_uri": _uri(document.get("featured")),
        "avatar_uri": _image_url(document.get("icon")),
        "header_uri": _image_url(document.get("image")),
        # Mastodon reads a missing flag as false for remote actors (opt-in discovery).
        "locked": document.get("manuallyApprovesFollowers") is True,
        "discoverable": document.get("discoverable") is True,
        "indexable": document.get("indexable") is True,
        "bot": actor_type in BOT_TYPES,
        "fields": _profile_fields(document.get("attachment")),
    }
    fields.update(_public_key(document.get("publicKey"), actor_uri))
    published = _timestamp(document.get("published"))
    if published is not None:
        fields["created_at"] = published
    return fields


def _required_parts(document: dict) -> tuple[str, str, str, str]:
    """(id, actor type, username, inbox): without an id, an actor type or an inbox there is no actor."""
    actor_uri = _uri(document.get("id"))
    if actor_uri is None:
        raise InvalidActivity("actor has no usable id")
    types = types_of(document)
    actor_type = next((t for t in ACTOR_TYPES if t in types), None)
    if actor_type is None:
        raise InvalidActivity(f"{actor_uri} is not an actor type")
    username = text_of(document.get("preferredUsername"), USERNAME_LIMIT + 1).strip()
    if len(username) > USERNAME_LIMIT:
        raise InvalidActivity(f"{actor_uri} has no usable preferredUsername")
    if not username:
        username = _username_from_uri(actor_uri)
    inbox = _uri(document.get("inbox"))
    if inbox is None:
        raise InvalidActivity(f"{actor_uri} has no inbox")
    return actor_uri, actor_type, username, inbox


def _username_from_uri(actor_uri: str) -> str:
    """A stand-in name for an actor without preferredUsername.

    ActivityPub makes preferredUsername optional (section 4.1, "MAY"), and such actors sign
    requests too (fediverse-pasture's verify_actor tests with them). The name comes from the
    id's last path segment, and a hash of the id keeps two such actors of one server apart
    and clear of every real name there (an `_` and eight hex digits).
    """
    segments = [part for part in urlsplit(actor_uri).path.split("/") if part]
    stem = re.sub(r"[^A-Za-z0-9_]", "", segments[-1] if segments else "")[:30] or "actor"
    return f"{stem}_{hashlib.sha256(actor_uri.encode()).hexdigest()[:8]}"


def _uri(value) -> str | None:
    ref = id_of(value)
    if isinstance(ref, str) and len(ref) <= URI_LIMIT and ref.startswith(("https://", "http://")):
        return ref
    return None


def _image_url(value) -> str | None:
    """The URL of `icon`/`image`: a string, an Image whose url is a string/Link/list, or a list."""
    for item in as_list(value):
        if isinstance(item, dict):
            found = _uri(first_url(item.get("url"), prefer_types=()) or item.get("href"))
        else:
            found = _uri(item)
        if found:
            return found
    return None


def _public_key(value, actor_uri: str) -> dict:
    """The actor's own key: the entry whose owner is the actor, else the first one.

    A key id on another host is ignored: a document may only vouch for keys of its own
    origin, or it could shadow someone else's key id in our lookups.
    """
    keys = [key for key in as_list(value) if isinstance(key, dict)]
    owned = [key for key in keys if id_of(key.get("owner")) == actor_uri]
    chosen = (owned or keys or [None])[0]
    if chosen is None:
        return {"public_key_id": None, "public_key_pem": None}
    key_id, pem = _uri(chosen.get("id")), chosen.get("publicKeyPem")
    if key_id is None or not same_origin(key_id, actor_uri) or not isinstance(pem, str) \
            or len(pem) > PEM_LIMIT:
        return {"public_key_id": None, "public_key_pem": None}
    return {"public_key_id": key_id, "public_key_pem": pem.strip()}


def _profile_fields(value) -> list[dict]:
    fields = []
    for item in as_list(value):
        if not isinstance(item, dict) or "PropertyValue" not in types_of(item):
            continue
        name = text_of(item.get("name"), FIELD_NAME_LIMIT).strip()
        if name:
            fields.append({"name": name,
                           "value": sanitize_html(text_of(item.get("value"), FIELD_VALUE_LIMIT))})
        if len(fields) == MAX_FIELDS:
            break
    return fields


def _timestamp(value) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --- actors ------------------------------------------------------------------------

async def resolve_actor(session: AsyncSession, fetcher: Fetcher, actor_uri: str, *,
                        refresh: bool = False, max_age: timedelta = timedelta(days=1),
                        local_domain: str | None = None) -> Account:
    """The account of `actor_uri`: local rows and fresh cached rows as stored, else fetched.

    `local_domain` (our host[:port]) makes sure we never fetch from ourselves. The row is
    flushed, not committed: the caller owns the transaction.
    """
    account = await account_repo.get_account_by_uri(session, actor_uri)
    if account is not None and account.is_local:
        return account
    if is_local_uri(actor_uri, local_domain):
        raise FetchError(f"{actor_uri} is on this node and no such account exists")
    if account is not None and not refresh and is_fresh(account, max_age):
        return account
    document = await fetcher.get_json(actor_uri)
    return await store_actor(session, document, actor_uri, local_domain=local_domain)


async def store_actor(session: AsyncSession, document: dict, requested_uri: str, *,
                      local_domain: str | None = None) -> Account:
    """Insert or update the account described by a fetched actor document."""
    values = actor_to_account_fields(document)
    actor_uri = values["actor_uri"]
    # An actor may be served under another URL of its own server; another server
    # cannot speak for it (the origin rule of ActivityPub section 3.2).
    if actor_uri != requested_uri and not same_origin(actor_uri, requested_uri):
        raise InvalidActivity(f"{requested_uri} returned an actor of another server, {actor_uri}")
    if is_local_uri(actor_uri, local_domain):
        raise InvalidActivity(f"{actor_uri} claims to be an actor of this node")
    account = await account_repo.get_account_by_uri(session, actor_uri)
    if account is not None and account.is_local:
        raise InvalidActivity(f"{actor_uri} is a local account")
    same_name = await account_repo.get_account_by_username(session, values["username"],
                                                           values["domain"])
    if account is None and same_name is not None:
        # The actor moved to a new URI on the same server: the row follows it.
        account = same_name
    elif account is not None and same_name is not None and same_name.id != account.id:
        # A stale row still holds the name; keep ours as it was rather than clash.
        values["username"] = account.username
    now = utcnow()
    if account is None:
        account = Account(**values)
        session.add(account)
    else:
        values.pop("created_at", None)
        for column, value in values.items():
            setattr(account, column, value)
    account.fetched_at = account.updated_at = now
    account.gone_at = None
    await session.flush()
    return account


def is_local_uri(uri: str, local_domain: str | None) -> bool:
    return local_domain is not None and host_of(uri) == local_domain.lower()


def is_fresh(account: Account, max_age: timedelta = timedelta(days=1)) -> bool:
    """Whether a stored remote actor is recent enough to use without fetching it again."""
    return account.fetched_at is not None and utcnow() - account.fetched_at < max_age


async def resolve_object(fetcher: Fetcher, uri: str) -> dict:
    """A remote object (a Note, usually), checked by the Fetcher like any document."""
    return await fetcher.get_json(uri)
