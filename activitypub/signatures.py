"""HTTP signatures for federation: the one place the inbox, signed fetch and
delivery go to sign a request or learn who signed one.

Signing and verifying live in `cavage` (draft-cavage-http-signatures-12, what
most servers send) and `rfc9421` (RFC 9421); this module picks the scheme an
incoming request uses. Key lookup is the caller's `get_key(key_id, refresh)`,
so nothing here touches the database or the network.
"""

import time
from collections.abc import Mapping

from activitypub.cavage import sign_request, verify_cavage
from activitypub.rfc9421 import sign_request_rfc9421, verify_rfc9421
from activitypub.signature_core import (
    DEFAULT_MAX_SKEW,
    KeyGetter,
    PublicKeyInfo,
    VerifiedSignature,
    collect_headers,
    key_id_to_actor_uri,
)

__all__ = [
    "DEFAULT_MAX_SKEW",
    "KeyGetter",
    "PublicKeyInfo",
    "VerifiedSignature",
    "key_id_to_actor_uri",
    "sign_request",
    "sign_request_rfc9421",
    "verify_request",
]


async def verify_request(method: str, path_with_query: str, headers: Mapping, body: bytes | None,
                         get_key: KeyGetter, *, max_skew: float = DEFAULT_MAX_SKEW,
                         now: float | None = None, scheme: str = "https",
                         host: str | None = None) -> VerifiedSignature:
    """Verify an incoming request's HTTP signature and its body digest.

    `headers` is the request's header mapping (a multidict keeps repeated
    fields); `scheme` is how clients reach us, needed for `@target-uri`;
    `host` is our public host[:port], which the signature must name (None
    skips that check, for callers that are not a server of their own).
    Raises UnsupportedSignature when the request is unsigned or signed in a
    form we cannot check, and SignatureError when the signature is wrong.
    """
    fields = collect_headers(headers)
    now = time.time() if now is None else now
    # RFC 9421 reuses the header name `Signature`; Signature-Input tells the
    # schemes apart (a double-knocking peer sends RFC 9421 first).
    if "signature-input" in fields:
        return await verify_rfc9421(method, path_with_query, fields, body, get_key,
                                    scheme=scheme, max_skew=max_skew, now=now, host=host)
    return await verify_cavage(method, path_with_query, fields, body, get_key,
                               max_skew=max_skew, now=now, host=host, scheme=scheme)
