"""Body digests: the legacy `Digest` header (RFC 3230, as used with draft-cavage
signatures) and `Content-Digest` (RFC 9530, as used with RFC 9421).

Only SHA-256 and SHA-512 count; a header that names nothing else is treated as
missing. Every supported digest a header carries must match the body.
"""

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from activitypub.errors import SignatureError

# Algorithm names are case-insensitive in both registries (RFC 3230 section
# 4.1.1 lists "SHA-256"; RFC 9530 section 5 registers "sha-256"), and peers
# send either spelling in either header.
_HASHES = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def digest_header(body: bytes) -> str:
    """The value of `Digest` for `body`, e.g. `SHA-256=X48E9q...`."""
    return "SHA-256=" + _b64(hashlib.sha256(body).digest())


def content_digest_header(body: bytes) -> str:
    """The value of `Content-Digest` for `body`, e.g. `sha-256=:X48E9q...:`."""
    return "sha-256=:" + _b64(hashlib.sha256(body).digest()) + ":"


def _members(value: str) -> list[tuple[str, str]]:
    """Split `alg=value, alg=value` into lower-cased names and raw values."""
    members = []
    for part in value.split(","):
        name, sep, encoded = part.partition("=")
        if sep:
            members.append((name.strip().lower(), encoded.strip()))
    return members


def _check(members: list[tuple[str, str]], body: bytes, header: str) -> None:
    checked = 0
    for name, encoded in members:
        hasher = _HASHES.get(name)
        if hasher is None:
            continue  # unknown algorithms are skipped (RFC 9530 section 2)
        try:
            claimed = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SignatureError(f"{header}: malformed {name} value") from exc
        if not hmac.compare_digest(claimed, hasher(body).digest()):
            raise SignatureError(f"{header}: {name} does not match the body")
        checked += 1
    if not checked:
        raise SignatureError(f"{header}: no supported digest algorithm")


def verify_digest(value: str | None, body: bytes | None) -> None:
    """Check a `Digest` header value against the body; raise SignatureError."""
    if not value:
        raise SignatureError("Digest header missing")
    # Some servers wrap the base64 in colons as Content-Digest does; the
    # base64 alphabet has no ':' so stripping them is unambiguous.
    members = [(name, encoded.strip(":")) for name, encoded in _members(value)]
    _check(members, body or b"", "Digest")


def verify_content_digest(value: str | None, body: bytes | None) -> None:
    """Check a `Content-Digest` header value against the body; raise SignatureError."""
    if not value:
        raise SignatureError("Content-Digest header missing")
    members = []
    for name, encoded in _members(value):
        # A Dictionary member is `:base64:` optionally followed by
        # parameters (RFC 8941 section 3.2); no parameters are defined for it.
        encoded = encoded.split(";", 1)[0].strip()
        if name not in _HASHES:
            continue
        if not (len(encoded) >= 2 and encoded[0] == encoded[-1] == ":"):
            raise SignatureError(f"Content-Digest: {name} is not a byte sequence")
        members.append((name, encoded[1:-1]))
    _check(members, body or b"", "Content-Digest")


def _header(headers: Mapping, name: str) -> str | None:
    getall = getattr(headers, "getall", None)
    if getall is not None:
        values = getall(name, [])
        return ", ".join(values) if values else None
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def verify_body_digests(headers: Mapping, body: bytes | None) -> None:
    """Check whichever of `Digest` and `Content-Digest` are present; at least one must be."""
    digest = _header(headers, "Digest")
    content_digest = _header(headers, "Content-Digest")
    if digest is None and content_digest is None:
        raise SignatureError("request has neither Digest nor Content-Digest")
    if digest is not None:
        verify_digest(digest, body)
    if content_digest is not None:
        verify_content_digest(content_digest, body)
