"""A push message as a push service takes it: the payload encrypted for the subscription's
keys and the request signed with the node's VAPID key.

Encryption and signing are done by http-ece and py-vapid (both on `cryptography`). As
Mastodon 4.4 does, a `standard` subscription gets RFC 8291 (`aes128gcm`) and RFC 8292
(`Authorization: vapid t=…,k=…`); any other gets the draft scheme Mastodon used before and
its apps still expect (`aesgcm` with `Encryption`/`Crypto-Key` headers and
`Authorization: WebPush …`, draft-ietf-webpush-encryption-04 and draft-ietf-webpush-vapid-01).
"""

import os
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid01, Vapid02, VapidException

from storage.models import PushSubscription

from .vapid import b64url, decode_b64, load_private_key, public_point

# How long a push service keeps an undelivered message; Mastodon asks for 48 hours.
TTL_SECONDS = 48 * 3600
# A VAPID token may be valid for at most 24 hours (RFC 8292 §2).
TOKEN_SECONDS = 12 * 3600


class SealError(ValueError):
    """The subscription's keys or endpoint cannot make a push message."""


@dataclass(frozen=True)
class Sealed:
    body: bytes
    headers: dict[str, str]


def check_keys(p256dh: str, auth: str) -> tuple[bytes, bytes]:
    """The subscription keys as bytes: a P-256 point and a 16-byte secret (RFC 8291 §3)."""
    try:
        point, secret = decode_b64(p256dh), decode_b64(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as exc:
        raise SealError("keys.p256dh must be a base64 P-256 public key and keys.auth base64") from exc
    if len(secret) != 16:
        raise SealError("keys.auth must be 16 bytes in base64")
    return point, secret


def _claims(endpoint: str, subject: str) -> dict:
    parts = urlsplit(endpoint)
    return {"aud": f"{parts.scheme}://{parts.netloc}", "exp": int(time.time()) + TOKEN_SECONDS, "sub": subject}


def seal(subscription: PushSubscription, payload: bytes, vapid_pem: str, subject: str) -> Sealed:
    """Encrypt `payload` with a fresh ephemeral key and sign the request for the endpoint."""
    point, secret = check_keys(subscription.key_p256dh, subscription.key_auth)
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    vapid_key = load_private_key(vapid_pem)
    # no-strict: py-vapid's own check wants `sub` to be mailto: or https:, which a node
    # served over http for local setups cannot give; the push services only read it.
    conf = {"no-strict": True}
    headers = {"TTL": str(TTL_SECONDS), "Urgency": "normal", "Content-Type": "application/octet-stream"}
    try:
        claims = _claims(subscription.endpoint, subject)
        if subscription.standard:
            # The record header's keyid is the ephemeral public key (RFC 8291 §4), http-ece's default.
            body = http_ece.encrypt(payload, private_key=ephemeral, dh=point, auth_secret=secret,
                                    version="aes128gcm")
            headers.update(Vapid02(vapid_key, conf=conf).sign(claims), **{"Content-Encoding": "aes128gcm"})
            return Sealed(body, headers)
        salt = os.urandom(16)
        body = http_ece.encrypt(payload, salt=salt, private_key=ephemeral, dh=point, auth_secret=secret,
                                keylabel="P-256", version="aesgcm")
        signed = Vapid01(vapid_key, conf=conf).sign(claims, crypto_key=f"dh={b64url(public_point(ephemeral))}")
    except (http_ece.ECEException, VapidException, ValueError) as exc:
        raise SealError(str(exc)) from exc
    headers.update(signed, **{"Content-Encoding": "aesgcm", "Encryption": f"salt={b64url(salt)}"})
    return Sealed(body, headers)
