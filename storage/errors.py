"""Error types raised by storage; node/ turns them into HTTP answers."""


class StorageError(Exception):
    """Base class for storage failures."""


class NotFound(StorageError):
    """The requested row does not exist."""


class Conflict(StorageError):
    """The write would break a uniqueness rule (a name or key already taken)."""


class MediaError(StorageError):
    """An image could not be accepted: unknown type, too large, undecodable."""
