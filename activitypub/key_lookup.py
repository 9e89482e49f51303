"""Public keys for the signature verifier: `make_key_getter` answers the key a request was
signed with, from the accounts table or fetched (and stored) from the signer's server.

Handles keyIds with and without a fragment, GoToSocial's key stubs, key rotation (a refresh
re-fetches), and two requests storing the same new actor at once. Unlike the rest of the
resolver, the getter owns its sessions and commits what it fetched.
"""

import time
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Account
from storage.repositories import accounts as account_repo

from .errors import FetchError, InvalidActivity, SignatureError
from .fetch import Fetcher
from .resolver import ACTOR_TYPES, is_local_uri, resolve_actor, store_actor
from .shapes import as_list, id_of, same_origin, types_of
from .signatures import PublicKeyInfo, key_id_to_actor_uri

KEY_CACHE_SECONDS = 60.0
KEY_CACHE_SIZE = 10_000
# A failed verification fetches the key again (key rotation), and anyone can make a
# verification fail: the document of an actor we know is fetched again at most once per
# this many seconds, however many bad signatures name it.
KEY_REFRESH_SECONDS = 300.0
# A key id whose document could not be had (gone, not an actor, unreachable) or does not
# publish it is answered "unknown" for this long without asking its server again. Read at
# call time, as is KEY_REFRESH_SECONDS.
UNKNOWN_KEY_SECONDS = 600.0


class _FetchLimits:
    """When the document behind a key id may be fetched again, on the monotonic clock.

    Refreshes are counted per document URL, not per key id, so that `#a`, `#b`, ... on the
    same actor cost one fetch between them.
    """

    def __init__(self) -> None:
        self.refreshed: dict[str, float] = {}  # document URL -> when it was last fetched again
        self.unknown: dict[str, float] = {}  # document URL or key id -> when it was found unknown

    def may_refresh(self, url: str, now: float) -> bool:
        return now - self.refreshed.get(url, float("-inf")) >= KEY_REFRESH_SECONDS

    def claim_refresh(self, url: str, now: float) -> bool:
        """True, once per KEY_REFRESH_SECONDS, for the lookup that may fetch `url` again."""
        if not self.may_refresh(url, now):
            return False
        _prune(self.refreshed, lambda at: now - at >= KEY_REFRESH_SECONDS)
        self.refreshed[url] = now
        return True

    def is_unknown(self, url: str, key_id: str, now: float) -> bool:
        return any(now - self.unknown.get(name, float("-inf")) < UNKNOWN_KEY_SECONDS for name in (url, key_id))

    def mark_unknown(self, name: str, now: float) -> None:
        _prune(self.unknown, lambda at: now - at >= UNKNOWN_KEY_SECONDS)
        self.unknown[name] = now


def _prune(entries: dict[str, float], expired) -> None:
    if len(entries) >= KEY_CACHE_SIZE:
        for name in [name for name, value in entries.items() if expired(value)]:
            del entries[name]
    if len(entries) >= KEY_CACHE_SIZE:
        entries.clear()


def make_key_getter(sessionmaker: async_sessionmaker, fetcher: Fetcher, *,
                    local_domain: str | None = None):
    """A `get_key(key_id, refresh)` for `signatures.verify_request`, backed by accounts.

    Looks the key up by key id, or by actor id for keyIds without a fragment; fetches on
    a miss or when asked to refresh (key rotation), and commits what it fetched. Refreshes
    and failed lookups are rate-limited (KEY_REFRESH_SECONDS, UNKNOWN_KEY_SECONDS).
    """

    cache: dict[str, tuple[float, PublicKeyInfo]] = {}
    limits = _FetchLimits()

    async def get_key(key_id: str, refresh: bool = False) -> PublicKeyInfo:
        # A busy peer signs every delivery with the same key; asking the database each time
        # cost a session per request. Entries live briefly, and a failed verification asks
        # again with refresh=True, which skips the cache (key rotation) unless the document
        # was fetched again moments ago: then the copy we have is the answer.
        _check_key_id(key_id)
        now = time.monotonic()
        refresh = refresh and limits.may_refresh(key_id_to_actor_uri(key_id), now)
        cached = cache.get(key_id)
        if cached is not None and not refresh and cached[0] > now:
            return cached[1]
        info = await _lookup_key(key_id, refresh)
        if len(cache) >= KEY_CACHE_SIZE:
            cache.clear()
        cache[key_id] = (now + KEY_CACHE_SECONDS, info)
        return info

    async def _lookup_key(key_id: str, refresh: bool) -> PublicKeyInfo:
        try:
            return await _lookup_key_once(key_id, refresh)
        except IntegrityError:
            # Another request stored the same actor first (a new server often delivers
            # several activities at once): its row is there now, read it.
            return await _lookup_key_once(key_id, False)

    async def _lookup_key_once(key_id: str, refresh: bool) -> PublicKeyInfo:
        async with sessionmaker() as session:
            account = await _account_for_key(session, key_id)
            if (account is not None and account.is_local) or is_local_uri(key_id, local_domain):
                # Our own keys are only ever read from the database.
                if account is None or not _has_key(account, key_id):
                    raise SignatureError(f"no local key {key_id}")
                return _key_info(key_id, account)
            if account is not None and _has_key(account, key_id) and not refresh:
                return _key_info(key_id, account)
            known, url = account is not None, key_id_to_actor_uri(key_id)
            # Fetching the document of an actor we know is a refresh, whether a failed
            # verification asked for it or a key id of theirs we have not seen: limited as one.
            if known and not limits.claim_refresh(url, time.monotonic()):
                if _has_key(account, key_id):
                    return _key_info(key_id, account)  # fetched again moments ago: as fresh
                raise SignatureError(f"{account.actor_uri} does not publish the key {key_id}")
            if not known and limits.is_unknown(url, key_id, time.monotonic()):
                raise SignatureError(f"the key {key_id} could not be resolved moments ago")
            account = await _fetch_published_key(session, key_id, new_actor=not known)
            await session.commit()
            return _key_info(key_id, account)

    async def _fetch_published_key(session: AsyncSession, key_id: str, *, new_actor: bool) -> Account:
        """The key's owner, fetched and stored; for a new actor a failure is remembered a while."""
        try:
            account = await _fetch_key_owner(session, fetcher, key_id, local_domain)
        except SignatureError:
            if new_actor:
                limits.mark_unknown(key_id_to_actor_uri(key_id), time.monotonic())
            raise
        if not _has_key(account, key_id):
            if new_actor:
                limits.mark_unknown(key_id, time.monotonic())
            raise SignatureError(f"{account.actor_uri} does not publish the key {key_id}")
        return account

    return get_key


def _check_key_id(key_id: str) -> None:
    # A keyId is whatever the Signature header says; one urlsplit cannot read (an unbalanced
    # IPv6 bracket, a port out of range) would otherwise fail deep in the lookup with a 500.
    try:
        parts = urlsplit(key_id)
        parts.port  # noqa: B018 - raises for a port out of range
    except ValueError as exc:
        raise SignatureError(f"the key id {key_id!r} is not a URL") from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SignatureError(f"the key id {key_id!r} is not an http(s) URL")


async def _account_for_key(session: AsyncSession, key_id: str) -> Account | None:
    """The row holding `key_id`, else the row of the actor the key id points into."""
    result = await session.execute(select(Account).where(Account.public_key_id == key_id).limit(1))
    account = result.scalar_one_or_none()
    if account is None:
        account = await account_repo.get_account_by_uri(session, key_id_to_actor_uri(key_id))
    return account


def _has_key(account: Account, key_id: str) -> bool:
    return bool(account.public_key_pem) and _owns_key(account, key_id)


def _owns_key(account: Account, key_id: str) -> bool:
    # A keyId without a fragment may name the actor itself (some servers sign that way).
    return account.public_key_id == key_id or key_id == account.actor_uri


def _key_info(key_id: str, account: Account) -> PublicKeyInfo:
    return PublicKeyInfo(key_id=key_id, owner_uri=account.actor_uri,
                         public_key_pem=account.public_key_pem)


async def _fetch_key_owner(session: AsyncSession, fetcher: Fetcher, key_id: str,
                           local_domain: str | None) -> Account:
    """Fetch the document at the key id, the actor or a key stub naming one, and store the actor.

    Whether the actor publishes `key_id` is the caller's to check.
    """
    try:
        document = await fetcher.get_json(key_id_to_actor_uri(key_id))
        if _is_full_actor(document):
            account = await store_actor(session, document, key_id_to_actor_uri(key_id),
                                        local_domain=local_domain)
        else:
            account = await _resolve_stub_owner(session, fetcher, document, key_id, local_domain)
    except (FetchError, InvalidActivity) as exc:
        raise SignatureError(f"cannot resolve key {key_id}: {exc}") from exc
    return account


def _is_full_actor(document: dict) -> bool:
    return bool(types_of(document) & set(ACTOR_TYPES)) and document.get("inbox") is not None


async def _resolve_stub_owner(session: AsyncSession, fetcher: Fetcher, document: dict,
                              key_id: str, local_domain: str | None) -> Account:
    # GoToSocial serves keyIds like https://host/users/x/main-key as a stub holding only
    # the key and its owner; the owner's actor document is what vouches for the key.
    keys = [key for key in as_list(document.get("publicKey")) if isinstance(key, dict)]
    key = next((k for k in keys if k.get("id") == key_id), keys[0] if keys else document)
    owner = id_of(key.get("owner")) or id_of(document.get("owner"))
    if not owner:
        raise InvalidActivity(f"the key document {key_id} names no owner")
    if not same_origin(owner, key_id):
        raise InvalidActivity(f"the key {key_id} claims an owner on another server")
    return await resolve_actor(session, fetcher, owner, refresh=True, local_domain=local_domain)
