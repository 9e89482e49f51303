"""Error types raised by the protocol layer; node/ turns them into HTTP answers."""


class FederationError(Exception):
    """A protocol-level problem with a remote document or activity."""


class SignatureError(FederationError):
    """An HTTP signature or digest is missing, malformed or does not verify."""


class UnsupportedSignature(SignatureError):
    """The request is signed in a form this node cannot verify (answer 401 so peers fall back)."""


class FetchError(FederationError):
    """A remote document could not be fetched or is not acceptable."""


class BlockedAddress(FetchError):
    """The target resolves to a private, loopback or link-local address."""


class InvalidActivity(FederationError):
    """An activity or object is malformed or inconsistent."""


class FetchStatusError(FetchError):
    """The remote server answered a fetch with a non-2xx status."""

    def __init__(self, url: str, status: int) -> None:
        super().__init__(f"{url} answered HTTP {status}")
        self.url = url
        self.status = status


class GoneOrMissing(FetchStatusError):
    """The remote server answered 404 or 410: the document does not exist (any more)."""
