"""draft-cavage-http-signatures-12 (the `Signature` header most of the fediverse
speaks): signing our outgoing requests the way Mastodon expects them, and
verifying incoming ones with the quirks real servers need.
"""

import base64
import binascii
import math
import re
from email.utils import formatdate

from activitypub.digest import digest_header, verify_content_digest, verify_digest
from activitypub.errors import SignatureError, UnsupportedSignature
from activitypub.signature_core import (
    ED25519,
    RSA_V1_5_SHA256,
    KeyGetter,
    VerifiedSignature,
    algorithms_for_key,
    check_host,
    check_not_expired,
    check_window,
    collect_headers,
    expects_body,
    field_value,
    find_header,
    http_date_timestamp,
    load_private_key,
    replace_header,
    sign_bytes,
    split_url,
    verify_bytes,
    verify_with_key_refresh,
)

# `name="quoted value"` or `name=bare` (bare for created/expires, section
# 2.1.4-2.1.5), separated by commas with optional whitespace. The quoted form
# is written as an unrolled loop so a hostile unterminated value stays linear.
_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^",\s]*))\s*(?:,|$)')

# Which primitives each `algorithm` value may mean for the key at hand.
# "hs2019" (section 2.1.3) says "derive it from the key": Mastodon and most
# servers sign RSA-SHA256 PKCS#1 v1.5 under that name, a few use RSA-PSS; an
# Ed25519 key means Ed25519. A missing algorithm is read the same way.
_ALGORITHMS = {
    "rsa-sha256": lambda key: [RSA_V1_5_SHA256],
    "hs2019": algorithms_for_key,
    "ed25519": lambda key: [ED25519],
}

_BODY_CONTENT_TYPE = "application/activity+json"


# --- signing -------------------------------------------------------------------

def sign_request(method: str, url: str, headers: dict, body: bytes | None,
                 key_id: str, private_key_pem: str | bytes) -> dict:
    """Headers to send: `headers` plus Host, Date, Digest (with a body) and Signature.

    POST signs `(request-target) host date digest content-type` and GET signs
    `(request-target) host date [accept]` with rsa-sha256, the set Mastodon,
    GoToSocial and Pixelfed all accept.
    """
    _, authority, target = split_url(url)
    if body is None and expects_body(method, body):
        body = b""
    out = replace_header(dict(headers), "Host", authority)
    if find_header(out, "Date") is None:
        out["Date"] = formatdate(usegmt=True)
    names = ["(request-target)", "host", "date"]
    if body is not None:
        out = replace_header(out, "Digest", digest_header(body))
        if find_header(out, "Content-Type") is None:
            out["Content-Type"] = _BODY_CONTENT_TYPE
        names += ["digest", "content-type"]
    elif find_header(out, "Accept") is not None:
        names.append("accept")
    key = load_private_key(private_key_pem)
    # Ed25519 keys can only be named "hs2019" in this draft (section 2.1.3).
    algorithm, primitive = ("hs2019", ED25519) if algorithms_for_key(key) == [ED25519] \
        else ("rsa-sha256", RSA_V1_5_SHA256)
    text = _signing_string(names, method, target, collect_headers(out), {})
    signature = base64.b64encode(sign_bytes(key, primitive, text)).decode("ascii")
    return replace_header(out, "Signature", f'keyId="{key_id}",algorithm="{algorithm}",'
                          f'headers="{" ".join(names)}",signature="{signature}"')


# --- verifying -----------------------------------------------------------------

def find_signature_params(fields: dict[str, list[str]]) -> dict[str, str] | None:
    """The parameters of a cavage signature in `Signature` or `Authorization`, if any."""
    value = field_value(fields, "signature")
    if value is None:
        authorization = field_value(fields, "authorization") or ""
        # Section 3.1: `Authorization: Signature <params>`.
        if authorization[:10].lower() != "signature ":
            return None
        value = authorization[10:]
    return parse_signature_params(value)


def parse_signature_params(value: str) -> dict[str, str]:
    """`keyId="a",headers="b"` -> {"keyid": "a", "headers": "b"}; raises UnsupportedSignature."""
    params: dict[str, str] = {}
    text, pos = value.strip(), 0
    while pos < len(text):
        found = _PARAM.match(text, pos)
        if not found or found.end() == pos:
            raise UnsupportedSignature("unparseable Signature header")
        name = found.group(1).lower()
        if name in params:
            raise UnsupportedSignature(f"Signature parameter {name} appears twice")
        quoted = found.group(2)
        if quoted is not None and "\\" in quoted:
            quoted = re.sub(r"\\(.)", r"\1", quoted)
        params[name] = quoted if quoted is not None else found.group(3)
        pos = found.end()
    return params


async def verify_cavage(method: str, target: str, fields: dict[str, list[str]], body: bytes | None,
                        get_key: KeyGetter, *, max_skew: float, now: float, host: str | None = None,
                        scheme: str = "https") -> VerifiedSignature:
    """Verify the cavage signature of a request whose headers were collected by collect_headers().

    `host` is the public host the request must have been signed for (None: any).
    """
    params = find_signature_params(fields)
    if params is None:
        raise UnsupportedSignature("request carries no cavage signature")
    key_id, signature = params.get("keyid"), params.get("signature")
    algorithm = params.get("algorithm", "hs2019").lower()
    if not key_id or not signature:
        raise UnsupportedSignature("Signature lacks keyId or signature")
    if algorithm not in _ALGORITHMS:
        raise UnsupportedSignature(f"unsupported signature algorithm {algorithm!r}")
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UnsupportedSignature("signature is not base64") from exc
    # Section 2.1.6: without a headers parameter only Date is signed.
    names = params.get("headers", "date").lower().split()
    _check_coverage(names, method, body)
    _check_time(names, params, fields, now, max_skew)
    check_host(field_value(fields, "host"), host, scheme)
    _check_digest(names, fields, body)
    candidates = [_signing_string(names, method, path, fields, params) for path in _targets(names, target)]

    def attempt(key) -> bool:
        primitives = _ALGORITHMS[algorithm](key)
        return any(verify_bytes(key, p, raw, text) for text in candidates for p in primitives)

    info = await verify_with_key_refresh(get_key, key_id, attempt)
    return VerifiedSignature(key_id=info.key_id, owner_uri=info.owner_uri, scheme="cavage")


def _check_coverage(names: list[str], method: str, body: bytes | None) -> None:
    # A signature that leaves the body, the host or the path out can be replayed with
    # another body, at another server or at another endpoint; Mastodon and GoToSocial
    # refuse those too. Every signer we know of covers all three on POST and GET alike.
    if expects_body(method, body) and not {"digest", "content-digest"} & set(names):
        raise SignatureError(f"a signed {method.upper()} must cover the digest header")
    if "host" not in names:
        raise SignatureError(f"a signed {method.upper()} must cover the host header")
    if "(request-target)" not in names:
        raise SignatureError(f"a signed {method.upper()} must cover (request-target)")


def _number(params: dict[str, str], name: str) -> float | None:
    if name not in params:
        return None
    try:
        value = float(params[name])
    except ValueError as exc:
        raise UnsupportedSignature(f"malformed {name} parameter") from exc
    # float() also reads "nan" (which every window check lets through) and "1e999".
    if not math.isfinite(value):
        raise UnsupportedSignature(f"malformed {name} parameter")
    return value


def _check_time(names: list[str], params: dict[str, str], fields: dict[str, list[str]],
                now: float, max_skew: float) -> None:
    created, expires = _number(params, "created"), _number(params, "expires")
    if "(created)" in names and created is None:
        raise SignatureError("(created) is signed but the created parameter is missing")
    if "(expires)" in names and expires is None:
        raise SignatureError("(expires) is signed but the expires parameter is missing")
    if "date" in names:
        date = field_value(fields, "date")
        if date is None:
            raise SignatureError("the signed Date header is missing")
        check_window(http_date_timestamp(date), now, max_skew, "Date")
    elif "(created)" not in names:
        # An unsigned time would let a captured request be replayed for ever.
        raise SignatureError("signature covers neither date nor (created)")
    if created is not None:
        check_window(created, now, max_skew, "created")
    check_not_expired(expires, now)


def _check_digest(names: list[str], fields: dict[str, list[str]], body: bytes | None) -> None:
    if "digest" in names:
        verify_digest(field_value(fields, "digest"), body)
    if "content-digest" in names:
        verify_content_digest(field_value(fields, "content-digest"), body)


def _targets(names: list[str], target: str) -> list[str]:
    # Some servers sign (request-target) without the query string (and some
    # proxies add one), so a failed full target is retried without it.
    if "(request-target)" in names and "?" in target:
        return [target, target.split("?", 1)[0]]
    return [target]


def _signing_string(names: list[str], method: str, target: str,
                    fields: dict[str, list[str]], params: dict[str, str]) -> bytes:
    """The signing string of section 2.3: `name: value` lines joined by newlines."""
    lines = []
    for name in names:
        if name == "(request-target)":
            value = f"{method.lower()} {target}"
        elif name in ("(created)", "(expires)"):
            value = params.get(name[1:-1], "")
        else:
            value = field_value(fields, name)
            if value is None:
                raise SignatureError(f"signed header {name} is missing from the request")
        lines.append(f"{name}: {value}")
    # Header values reach us as str; surrogateescape gives back any raw bytes
    # a server decoded that way, so the bytes match what the signer hashed.
    return "\n".join(lines).encode("utf-8", "surrogateescape")
