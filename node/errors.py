"""Error types of the node layer, and the one place where every package's errors become HTTP answers."""


class NodeError(Exception):
    """Base class for errors raised by node/."""


class ConfigError(NodeError):
    """A setting is missing or invalid."""


class ValidationError(NodeError):
    """User input is invalid; answered 422 (or 400) with the message."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class NotAuthorized(NodeError):
    """Missing or bad credentials; answered 401."""


class Forbidden(NodeError):
    """Authenticated but not allowed; answered 403."""


class RateLimited(NodeError):
    """Too many requests of one kind; answered 429 with `Retry-After` (seconds)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))
