"""RFC 9421 HTTP Message Signatures (`Signature-Input` + `Signature`): signing
requests and verifying incoming ones, for the request components and
algorithms ActivityPub servers use.
"""

import time
from dataclasses import dataclass

from activitypub.digest import content_digest_header, verify_content_digest
from activitypub.errors import SignatureError, UnsupportedSignature
from activitypub.signature_core import (
    ED25519,
    RSA_PSS_SHA512,
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
    http_date_timestamp,
    load_private_key,
    normalize_authority,
    replace_header,
    sign_bytes,
    split_url,
    verify_bytes,
    verify_with_key_refresh,
)
from activitypub.structured_fields import (
    StructuredFieldError,
    Token,
    parse_dictionary,
    serialize_inner_list,
    serialize_item,
)

_ALGORITHMS = (RSA_V1_5_SHA256, RSA_PSS_SHA512, ED25519)


@dataclass(frozen=True)
class _Request:
    """The parts of a request that derived components (RFC 9421 section 2.2) read."""

    method: str
    scheme: str
    target: str  # origin-form request target: path plus optional ?query
    fields: dict[str, list[str]]

    def authority(self) -> str:
        host = field_value(self.fields, "host")
        if host is None:
            raise SignatureError("@authority is signed but the Host header is missing")
        return normalize_authority(host, self.scheme)

    def component(self, name: str) -> str:
        path, has_query, query = self.target.partition("?")
        derived = {
            "@method": lambda: self.method,
            "@target-uri": lambda: f"{self.scheme}://{self.authority()}{self.target}",
            "@authority": self.authority,
            "@scheme": lambda: self.scheme,
            "@request-target": lambda: self.target,
            "@path": lambda: path or "/",
            # Section 2.2.7: an absent query is the "?" alone.
            "@query": lambda: "?" + query,
        }
        if name in derived:
            return derived[name]()
        value = field_value(self.fields, name)
        if value is None:
            raise SignatureError(f"signed header {name} is missing from the request")
        return value


_DERIVED = frozenset(("@method", "@target-uri", "@authority", "@scheme",
                      "@request-target", "@path", "@query"))


def _signature_base(request: _Request, covered: list, params: dict) -> bytes:
    """The signature base of section 2.5, ending with the @signature-params line."""
    lines, seen = [], set()
    for name, item_params in covered:
        if name in seen:
            raise SignatureError(f"component {name} is covered twice")  # section 2.5
        seen.add(name)
        lines.append(f"{serialize_item(name, item_params)}: {request.component(name)}")
    lines.append(f'"@signature-params": {serialize_inner_list(covered, params)}')
    return "\n".join(lines).encode("utf-8", "surrogateescape")


# --- signing -------------------------------------------------------------------

def sign_request_rfc9421(method: str, url: str, headers: dict, body: bytes | None,
                         key_id: str, private_key_pem: str | bytes, *,
                         algorithm: str | None = None, label: str = "sig1",
                         components: list[str] | None = None,
                         created: int | None = None, expires: int | None = None) -> dict:
    """Headers to send: `headers` plus Host, Content-Digest (with a body), Signature-Input, Signature.

    Covers `@method @target-uri` and, with a body, `content-digest`; the
    algorithm defaults to rsa-v1_5-sha256 for RSA keys and ed25519 for Ed25519.
    """
    scheme, authority, target = split_url(url)
    if body is None and expects_body(method, body):
        body = b""
    out = replace_header(dict(headers), "Host", authority)
    if body is not None:
        out = replace_header(out, "Content-Digest", content_digest_header(body))
    key = load_private_key(private_key_pem)
    algorithm = algorithm or algorithms_for_key(key)[0]
    names = components or ["@method", "@target-uri"] + (["content-digest"] if body is not None else [])
    covered = [(name, {}) for name in names]
    params: dict = {"created": int(time.time() if created is None else created),
                    "keyid": key_id, "alg": algorithm}
    if expires is not None:
        params["expires"] = int(expires)
    request = _Request(method.upper(), scheme, target, collect_headers(out))
    signature = sign_bytes(key, algorithm, _signature_base(request, covered, params))
    out = replace_header(out, "Signature-Input", f"{label}={serialize_inner_list(covered, params)}")
    return replace_header(out, "Signature", f"{label}={serialize_item(signature, {})}")


# --- verifying -----------------------------------------------------------------

async def verify_rfc9421(method: str, target: str, fields: dict[str, list[str]], body: bytes | None,
                         get_key: KeyGetter, *, scheme: str, max_skew: float,
                         now: float, host: str | None = None) -> VerifiedSignature:
    """Verify the first signature label that checks out; raise the most telling error otherwise.

    `host` is the public host the request must have been signed for (None: any).
    """
    inputs, signatures = _dictionary(fields, "signature-input"), _dictionary(fields, "signature")
    labels = [label for label in inputs if label in signatures]
    if not labels:
        raise UnsupportedSignature("Signature-Input and Signature share no label")
    request = _Request(method, scheme.lower(), target, fields)
    errors: list[SignatureError] = []
    # Several labels appear when an intermediary adds its own signature
    # (section 4.3); any one by a key we can resolve is enough.
    for label in labels:
        try:
            return await _verify_label(request, inputs[label], signatures[label], body,
                                       get_key, max_skew=max_skew, now=now, host=host)
        except SignatureError as exc:
            errors.append(exc)
    raise next((exc for exc in errors if not isinstance(exc, UnsupportedSignature)), errors[0])


def _dictionary(fields: dict[str, list[str]], name: str) -> dict:
    try:
        return parse_dictionary(field_value(fields, name) or "")
    except StructuredFieldError as exc:
        raise UnsupportedSignature(f"unparseable {name} header: {exc}") from exc


async def _verify_label(request: _Request, signature_input: tuple, signature: tuple,
                        body: bytes | None, get_key: KeyGetter, *,
                        max_skew: float, now: float, host: str | None) -> VerifiedSignature:
    covered, params = signature_input
    raw = signature[0]
    if not isinstance(covered, list) or not isinstance(raw, bytes):
        raise UnsupportedSignature("Signature-Input must be an inner list and Signature a byte sequence")
    key_id, algorithm = _check_params(params)
    names = _check_components(covered)
    _check_coverage(names, request.method, body)
    _check_time(names, params, request.fields, now, max_skew)
    # @authority and @target-uri both read the Host header (section 2.2.3).
    check_host(field_value(request.fields, "host"), host, request.scheme)
    if "content-digest" in names:
        verify_content_digest(field_value(request.fields, "content-digest"), body)
    base = _signature_base(request, covered, params)

    def attempt(key) -> bool:
        primitives = [algorithm] if algorithm else algorithms_for_key(key)
        return any(verify_bytes(key, primitive, raw, base) for primitive in primitives)

    info = await verify_with_key_refresh(get_key, key_id, attempt)
    return VerifiedSignature(key_id=info.key_id, owner_uri=info.owner_uri, scheme="rfc9421")


def _check_params(params: dict) -> tuple[str, str | None]:
    key_id, algorithm = params.get("keyid"), params.get("alg")
    if not isinstance(key_id, str) or not key_id:
        raise UnsupportedSignature("signature has no keyid parameter")
    if algorithm is not None and algorithm not in _ALGORITHMS:
        raise UnsupportedSignature(f"unsupported signature algorithm {algorithm!r}")
    for name in ("created", "expires"):
        value = params.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise UnsupportedSignature(f"{name} must be an integer")  # section 2.3
    return key_id, algorithm


def _check_components(covered: list) -> list[str]:
    names = []
    for name, item_params in covered:
        # Component names are lower-case Strings (section 2); parameters such
        # as sf, key, bs or req change the value in ways we do not implement.
        if not isinstance(name, str) or isinstance(name, Token) or name != name.lower():
            raise UnsupportedSignature(f"invalid component identifier {name!r}")
        if item_params or (name.startswith("@") and name not in _DERIVED):
            raise UnsupportedSignature(f"unsupported component {serialize_item(name, item_params)}")
        names.append(name)
    return names


def _check_coverage(names: list[str], method: str, body: bytes | None) -> None:
    # The same replay concerns as for cavage: content needs a covered digest
    # (RFC 9530 section 1.1), and every request the host and the path it was meant for.
    if expects_body(method, body) and "content-digest" not in names:
        raise SignatureError(f"a signed {method.upper()} must cover content-digest")
    if not {"@authority", "@target-uri"} & set(names):
        raise SignatureError(f"a signed {method.upper()} must cover @authority or @target-uri")
    if not {"@path", "@request-target", "@target-uri"} & set(names):
        raise SignatureError(f"a signed {method.upper()} must cover @path, @request-target or @target-uri")


def _check_time(names: list[str], params: dict, fields: dict[str, list[str]],
                now: float, max_skew: float) -> None:
    if "created" in params:
        check_window(params["created"], now, max_skew, "created")
    elif "date" in names and field_value(fields, "date") is not None:
        check_window(http_date_timestamp(field_value(fields, "date")), now, max_skew, "Date")
    else:
        # Without a signed time a captured request could be replayed for ever.
        raise SignatureError("signature has neither created nor a covered Date")
    check_not_expired(params.get("expires"), now)
