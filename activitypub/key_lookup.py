"""Public keys for the signature verifier: `make_key_getter` answers the key a request was
signed with, from the accounts table or fetched (and stored) from the signer's server.

Handles keyIds with and without a fragment, GoToSocial's key stubs, key rotation (a refresh
re-fetches), and two requests storing the same new actor at once. Unlike the rest of the
resolver, the getter owns its sessions and commits what it fetched.
"""

import time

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


def make_key_getter(sessionmaker: async_sessionmaker, fetcher: Fetcher, *,
                    local_domain: str | None = None):
    """A `get_key(key_id, refresh)` for `signatures.verify_request`, backed by accounts.

    Looks the key up by key id, or by actor id for keyIds without a fragment; fetches on
    a miss or when asked to refresh (key rotation), and commits what it fetched.
    """

    cache: dict[str, tuple[float, PublicKeyInfo]] = {}

    async def get_key(key_id: str, refresh: bool = False) -> PublicKeyInfo:
        # A busy peer signs every delivery with the same key; asking the database each time
        # cost a session per request. Entries live briefly, and a failed verification asks
        # again with refresh=True, which skips the cache (key rotation).
        now = time.monotonic()
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
            account = await _fetch_key_owner(session, fetcher, key_id, local_domain)
            await session.commit()
            return _key_info(key_id, account)

    return get_key


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
    """Fetch the document at the key id; it is either the actor or a key stub naming one."""
    try:
        document = await fetcher.get_json(key_id_to_actor_uri(key_id))
        if _is_full_actor(document):
            account = await store_actor(session, document, key_id_to_actor_uri(key_id),
                                        local_domain=local_domain)
        else:
            account = await _resolve_stub_owner(session, fetcher, document, key_id, local_domain)
    except (FetchError, InvalidActivity) as exc:
        raise SignatureError(f"cannot resolve key {key_id}: {exc}") from exc
    if not _has_key(account, key_id):
        raise SignatureError(f"{account.actor_uri} does not publish the key {key_id}")
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
