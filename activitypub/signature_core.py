"""What the two HTTP-signature schemes share: key records and the caller's key
lookup contract, the parsed-key caches, the signature primitives, the clock
window, the host binding, request-policy predicates and case-insensitive header access.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from activitypub.errors import SignatureError, UnsupportedSignature

RSA_V1_5_SHA256 = "rsa-v1_5-sha256"
RSA_PSS_SHA512 = "rsa-pss-sha512"
ED25519 = "ed25519"
DEFAULT_MAX_SKEW = 3600.0

PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey
PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


@dataclass(frozen=True)
class PublicKeyInfo:
    """A remote actor's public key as the key resolver found it."""

    key_id: str
    owner_uri: str
    public_key_pem: str


@dataclass(frozen=True)
class VerifiedSignature:
    """Who signed a request: the key, its owning actor, and the scheme used."""

    key_id: str
    owner_uri: str
    scheme: str  # "cavage" or "rfc9421"


# get_key(key_id, refresh) -> PublicKeyInfo (or None when there is no such key).
# refresh=True asks the resolver to bypass its cache and fetch the key again.
KeyGetter = Callable[..., Awaitable[PublicKeyInfo | None]]


def key_id_to_actor_uri(key_id: str) -> str:
    """`https://a.example/users/x#main-key` -> `https://a.example/users/x`."""
    return key_id.split("#", 1)[0]


# --- keys and primitives -------------------------------------------------------

@lru_cache(maxsize=4096)
def _load_public_key(pem: str) -> PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise SignatureError("public key is not a valid PEM") from exc
    if not isinstance(key, (rsa.RSAPublicKey, ed25519.Ed25519PublicKey)):
        raise UnsupportedSignature(f"unsupported public key type {type(key).__name__}")
    return key


def load_public_key(pem: str | bytes) -> PublicKey:
    """Parse a PEM public key, cached by its text (parsing costs more than verifying)."""
    text = pem.decode("ascii", "replace") if isinstance(pem, bytes) else pem
    return _load_public_key(text.strip())


@lru_cache(maxsize=256)
def _load_private_key(pem: bytes) -> PrivateKey:
    # Private keys are this node's own, made by activitypub.keys: checking the RSA key's
    # consistency costs about 30 ms, which several delivery threads would each pay at once on
    # the first signature of a fan-out. Keys from elsewhere are public, and stay checked.
    key = serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=True)
    if not isinstance(key, (rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey)):
        raise ValueError(f"unsupported private key type {type(key).__name__}")
    return key


def load_private_key(pem: str | bytes) -> PrivateKey:
    """Parse a PEM private key, cached: every delivery signs with one of a few keys."""
    return _load_private_key(pem.encode("ascii") if isinstance(pem, str) else pem)


def algorithms_for_key(key: PublicKey | PrivateKey) -> list[str]:
    """RFC 9421 algorithms a key can verify, most common in the fediverse first."""
    if isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)):
        return [RSA_V1_5_SHA256, RSA_PSS_SHA512]
    return [ED25519]


def verify_bytes(key: PublicKey, algorithm: str, signature: bytes, data: bytes) -> bool:
    """True when `signature` is `algorithm` over `data` by `key`; a key/algorithm mismatch is False."""
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm == RSA_V1_5_SHA256:
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, rsa.RSAPublicKey) and algorithm == RSA_PSS_SHA512:
            # RFC 9421 section 3.3.1 fixes a 64-byte salt for signing; AUTO
            # reads the salt length from the signature, so it accepts that too.
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=padding.PSS.AUTO)
            key.verify(signature, data, pss, hashes.SHA512())
        elif isinstance(key, ed25519.Ed25519PublicKey) and algorithm == ED25519:
            key.verify(signature, data)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def sign_bytes(key: PrivateKey, algorithm: str, data: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey) and algorithm == RSA_V1_5_SHA256:
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, rsa.RSAPrivateKey) and algorithm == RSA_PSS_SHA512:
        return key.sign(data, padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64),
                        hashes.SHA512())
    if isinstance(key, ed25519.Ed25519PrivateKey) and algorithm == ED25519:
        return key.sign(data)
    raise ValueError(f"cannot sign {algorithm} with {type(key).__name__}")


async def verify_with_key_refresh(get_key: KeyGetter, key_id: str,
                                  attempt: Callable[[PublicKey], bool]) -> PublicKeyInfo:
    """Try the cached key, then once more with a re-fetched one.

    Actors rotate keys (Mastodon after an account migration, GoToSocial on
    demand), so a signature that fails with the cached key may verify with a
    fresh copy. One refresh per request is the most asked for here; how often a
    key is really fetched again is the getter's to limit (key_lookup refetches
    an actor at most once per few minutes, however many forgeries name it).
    """
    info = await get_key(key_id, refresh=False)
    if info is None:
        raise SignatureError(f"no public key found for {key_id}")
    if _try_key(info, attempt):
        return info
    fresh = await get_key(key_id, refresh=True)
    if fresh is not None and fresh.public_key_pem.strip() != info.public_key_pem.strip():
        if _try_key(fresh, attempt):
            return fresh
    raise SignatureError(f"signature by {key_id} does not verify")


def _try_key(info: PublicKeyInfo, attempt: Callable[[PublicKey], bool]) -> bool:
    try:
        key = load_public_key(info.public_key_pem)
    except UnsupportedSignature:
        raise
    except SignatureError:
        return False  # a damaged stored key is one more reason to fetch it again
    return attempt(key)


# --- headers, clocks and policy ------------------------------------------------

def collect_headers(headers: Mapping) -> dict[str, list[str]]:
    """Lower-cased name -> field values in order, with surrounding whitespace trimmed.

    `items()` of a multidict yields every field line, so repeated fields keep
    all their values (draft-cavage-http-signatures-12 section 2.3, RFC 9421
    section 2.1 join them with ", ").
    """
    fields: dict[str, list[str]] = {}
    for name, value in headers.items():
        fields.setdefault(name.lower(), []).append(value.strip(" \t"))
    return fields


def field_value(fields: dict[str, list[str]], name: str) -> str | None:
    values = fields.get(name)
    return ", ".join(values) if values else None


def find_header(headers: dict, name: str) -> str | None:
    """The key under which a plain dict holds header `name`, whatever its case."""
    lowered = name.lower()
    return next((key for key in headers if key.lower() == lowered), None)


def replace_header(headers: dict, name: str, value: str) -> dict:
    """Set `name` in a plain dict, dropping any differently-cased copy first."""
    existing = find_header(headers, name)
    if existing is not None:
        del headers[existing]
    headers[name] = value
    return headers


def http_date_timestamp(value: str) -> float:
    """Seconds since the epoch of an HTTP-date (RFC 9110 section 5.6.7)."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError) as exc:
        raise SignatureError(f"malformed Date header {value!r}") from exc
    # parsedate_to_datetime gives a naive datetime for "-0000", which means UTC.
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).timestamp()


def check_window(moment: float, now: float, max_skew: float, what: str) -> None:
    """Reject a signing time more than `max_skew` seconds away from `now`, either way."""
    if abs(now - moment) > max_skew:
        raise SignatureError(f"{what} is {int(now - moment)} s from our clock (limit {int(max_skew)} s)")


def check_host(signed_host: str | None, expected_host: str | None, scheme: str) -> None:
    """Refuse a signature made for another server (`expected_host` None: any host).

    The signed Host is what the signer meant to reach; a request signed for another server,
    replayed here within the clock window, would otherwise verify. Behind a proxy the host
    the node answers as is its configured public host, not the socket's, so the caller passes
    that; default ports and case do not count (RFC 9110 section 4.2.3).
    """
    if expected_host is None:
        return
    if signed_host is None:
        raise SignatureError("the signed Host header is missing")
    if normalize_authority(signed_host, scheme) != normalize_authority(expected_host, scheme):
        raise SignatureError(f"signed for {signed_host}, not for this server")


def check_not_expired(expires: float | None, now: float) -> None:
    if expires is not None and expires < now:
        raise SignatureError("signature has expired")


def expects_body(method: str, body: bytes | None) -> bool:
    """Requests that carry content, whose digest the signature must cover."""
    return method.upper() in ("POST", "PUT", "PATCH") or bool(body)


def split_url(url: str) -> tuple[str, str, str]:
    """(scheme, authority, path-with-query) of an absolute URL, as a request would send them."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        raise ValueError(f"not an absolute URL: {url!r}")
    authority = normalize_authority(parts.netloc.rpartition("@")[2], parts.scheme)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme.lower(), authority, target


def normalize_authority(host: str, scheme: str) -> str:
    """Lower-case the host and drop the scheme's default port (RFC 9110 section 4.2.3)."""
    host = host.strip().lower()
    default = {"https": ":443", "http": ":80"}.get(scheme.lower())
    if default and host.endswith(default):
        host = host[: -len(default)]
    return host
