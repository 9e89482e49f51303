"""Specific media failures, all subclasses of storage.errors.MediaError.

node/ can map every one of them to 422 through MediaError alone; the finer
types let it pick 413 for size and let tests assert the exact reason.
"""

from storage.errors import MediaError


class UnsupportedMediaType(MediaError):
    """The bytes are not an image type this server accepts."""


class MediaTooLarge(MediaError):
    """The upload has more bytes, or its header claims more pixels, than allowed."""


class CorruptImage(MediaError):
    """The bytes claim an accepted type but cannot be decoded."""


class InvalidFocus(MediaError):
    """A focal point outside Mastodon's -1..1 square, or not two numbers."""


class InvalidMediaPath(MediaError):
    """A stored-media path that is not one this store could have written."""
