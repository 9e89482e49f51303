"""Error types raised by the image generators; node/ turns them into answers.

Callers tell the cases apart by type: a refused prompt is the user's to fix,
an unavailable backend is worth retrying later, an invalid request never is.
"""


class GenerationError(Exception):
    """An image could not be generated."""


class PromptRefused(GenerationError):
    """The backend's moderation declined the prompt; `reason` is its own words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BackendUnavailable(GenerationError):
    """The backend failed transiently (rate limit, 5xx, timeout, network): retry later."""


class InvalidGenerationRequest(GenerationError):
    """The request itself is wrong (size, style, prompt, quality, source image)."""
