"""The node's VAPID key pair (RFC 8292): made on first use, kept in the database, and never
replaced, because push services bind each subscription to the key that created it."""

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import NodeKey
from storage.repositories import push as push_repo

KEY_NAME = "vapid"


def b64url(data: bytes, *, padded: bool = False) -> str:
    text = base64.urlsafe_b64encode(data).decode("ascii")
    return text if padded else text.rstrip("=")


def decode_b64(text: str) -> bytes:
    """Either base64 alphabet, padded or not: apps send keys in both forms (Mastodon.py the
    standard alphabet, browsers' PushSubscription.toJSON() the URL-safe one without padding)."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)


def public_point(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def _new_key() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode("ascii")
    # The public key as Mastodon shows it (`server_key`, `configuration.vapid.public_key`):
    # the uncompressed point in URL-safe base64 with padding, which browsers'
    # pushManager.subscribe(applicationServerKey) accepts.
    return pem, b64url(public_point(key), padded=True)


async def vapid_key(session: AsyncSession) -> NodeKey:
    """The kept key, made now if the node has none (the caller commits)."""
    key = await push_repo.get_node_key(session, KEY_NAME)
    if key is None:
        pem, public = _new_key()
        key = await push_repo.put_node_key(session, KEY_NAME, pem, public)
    return key


def load_private_key(pem: str) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key
