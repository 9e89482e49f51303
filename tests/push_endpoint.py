"""A push service for tests, served on loopback: it takes what the node POSTs to a
subscription's endpoint, checks the VAPID signature (RFC 8292, or the draft `WebPush` form
with `Crypto-Key: p256ecdsa=`), and keeps each message for the test to decrypt with the
subscription's private key. `answers` sets the status of the next requests (default 201)."""

import base64
import json
import socket
import time
from dataclasses import dataclass, field

from aiohttp import web
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64decode(text: str) -> bytes:
    text = text.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    vapid_key: bytes  # the public key the signature was checked with
    claims: dict


def verify_jwt(token: str, public_key: bytes) -> dict:
    """Check an ES256 JWT against an uncompressed P-256 point; answers its claims."""
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(b64decode(header_b64))
    assert header["alg"] == "ES256", header
    signature = b64decode(signature_b64)
    assert len(signature) == 64
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
    key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises when forged
    return json.loads(b64decode(claims_b64))


def vapid_of(headers) -> tuple[bytes, str]:
    """(public key, JWT) from `vapid t=…,k=…` or from `WebPush <jwt>` with Crypto-Key's p256ecdsa."""
    scheme, _, value = headers["Authorization"].partition(" ")
    if scheme.lower() == "vapid":
        parts = dict(item.strip().split("=", 1) for item in value.split(","))
        return b64decode(parts["k"]), parts["t"]
    assert scheme == "WebPush", scheme
    crypto_key = dict(item.split("=", 1) for item in headers["Crypto-Key"].split(";"))
    return b64decode(crypto_key["p256ecdsa"]), value.strip()


@dataclass
class PushEndpoint:
    base_url: str
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    def url(self, path: str = "/push/1") -> str:
        return self.base_url + path

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            key, token = vapid_of(request.headers)
            claims = verify_jwt(token, key)
            origin = self.base_url
            assert claims["aud"] == origin, (claims, origin)
            assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
            assert claims["sub"], claims
            assert int(request.headers["TTL"]) > 0
        except (AssertionError, KeyError, ValueError, Exception) as exc:  # noqa: BLE001 - any failure refuses
            self.refused.append(f"{type(exc).__name__}: {exc}")
            return web.Response(status=401)
        self.received.append(Received(request.path, dict(request.headers), body, key, claims))
        status = self.answers.pop(0) if self.answers else 201
        return web.Response(status=status)


async def start_push_endpoint():
    """Start the endpoint; answers (endpoint, runner) and the caller cleans the runner up."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    endpoint = PushEndpoint(f"http://127.0.0.1:{port}")
    app = web.Application()
    app.router.add_post("/push/{tail:.*}", endpoint.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return endpoint, runner
