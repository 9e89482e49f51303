"""Specific media failures, all subclasses of storage.errors.MediaError.

node/ answers every one of them with 422 through MediaError alone, as Mastodon
answers an image it cannot take (too large included: the request itself was
within the body limit, which answers 413 before any image is read). The finer
types let callers and tests tell the reasons apart.
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
