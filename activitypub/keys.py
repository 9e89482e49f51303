"""RSA key pairs for actors, and parsing of public keys with a cache (PEM parsing is the slow part)."""

from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .errors import SignatureError


def generate_rsa_keypair(bits: int = 2048) -> tuple[str, str]:
    """A new (private PEM, public PEM) pair; RSA-2048 is what every fediverse server accepts."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private_pem, public_pem


@lru_cache(maxsize=4096)
def load_public_key(public_pem: str):
    try:
        return serialization.load_pem_public_key(public_pem.encode())
    except ValueError as exc:
        raise SignatureError(f"unreadable public key: {exc}") from exc


@lru_cache(maxsize=1024)
def load_private_key(private_pem: str):
    return serialization.load_pem_private_key(private_pem.encode(), password=None)
