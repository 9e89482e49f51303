"""Content-addressed media files on disk.

Owns the layout ``<root>/<aa>/<bb>/<sha256>.<ext>`` (aa and bb the first two
byte pairs of the hash, so no directory grows huge), atomic writes, and the
reading side, which accepts only paths of exactly that shape so that no
request can name a file outside the store. A file never changes once
written: the same bytes land on the same name, and storing them again is a
no-op.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from storage.errors import NotFound

from .errors import InvalidMediaPath
from .focus import Focus
from .pipeline import ProcessedImage

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
MEDIA_TYPES = {ext: media_type for media_type, ext in EXTENSIONS.items()}

_RELATIVE = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})\.(jpg|png|webp)")


@dataclass(frozen=True, slots=True)
class StoredMedia:
    """Where an image's files went, with what a media attachment row keeps."""

    original_path: str
    preview_path: str
    original_media_type: str
    preview_media_type: str
    width: int
    height: int
    preview_width: int
    preview_height: int
    blurhash: str
    focus: Focus
    sha256: str
    original_size: int
    preview_size: int


def relative_path(sha256: str, media_type: str) -> str:
    """The store-relative path of a file with this hash and media type."""
    ext = EXTENSIONS.get(media_type)
    if ext is None:
        raise InvalidMediaPath(f"no stored form for media type {media_type!r}")
    path = f"{sha256[0:2]}/{sha256[2:4]}/{sha256}.{ext}"
    check_relative_path(path)
    return path


def check_relative_path(relative: str) -> str:
    """Return the path if this store could have written it; else raise."""
    match = _RELATIVE.fullmatch(relative)
    if match is None or match[3][0:2] != match[1] or match[3][2:4] != match[2]:
        raise InvalidMediaPath(f"not a stored media path: {relative!r}")
    return relative


def url_path(relative: str, prefix: str = "/media") -> str:
    """The URL path a stored file is served under, e.g. /media/ab/cd/abcd….jpg."""
    return f"{prefix.rstrip('/')}/{check_relative_path(relative)}"


def media_type_of(relative: str) -> str:
    """The media type of a stored file, from its (checked) extension."""
    return MEDIA_TYPES[check_relative_path(relative).rsplit(".", 1)[1]]


class MediaStore:
    """Image files under one root directory, named by their sha256."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def save(self, processed: ProcessedImage) -> StoredMedia:
        """Store the original and the preview of a processed image."""
        original = self.put(processed.original_bytes, processed.original_media_type)
        preview = self.put(processed.preview_bytes, processed.preview_media_type)
        return StoredMedia(
            original_path=original,
            preview_path=preview,
            original_media_type=processed.original_media_type,
            preview_media_type=processed.preview_media_type,
            width=processed.width,
            height=processed.height,
            preview_width=processed.preview_width,
            preview_height=processed.preview_height,
            blurhash=processed.blurhash,
            focus=processed.focus,
            sha256=processed.sha256,
            original_size=len(processed.original_bytes),
            preview_size=len(processed.preview_bytes),
        )

    def put(self, data: bytes, media_type: str) -> str:
        """Store bytes under their hash; return the relative path."""
        relative = relative_path(hashlib.sha256(data).hexdigest(), media_type)
        target = self.root / relative
        # Files are only ever renamed into place complete, so one that exists
        # already holds exactly these bytes.
        if not target.exists():
            _write_atomic(target, data)
        return relative

    def path_for(self, relative: str) -> Path:
        """The absolute path of a stored file; refuses any other path shape."""
        return self.root / check_relative_path(relative)

    def exists(self, relative: str) -> bool:
        return self.path_for(relative).is_file()

    def open_path(self, relative: str) -> BinaryIO:
        """Open a stored file for reading; NotFound if it is not there."""
        try:
            return open(self.path_for(relative), "rb")
        except FileNotFoundError as exc:
            raise NotFound(f"no stored media at {relative}") from exc

    def read_bytes(self, relative: str) -> bytes:
        with self.open_path(relative) as f:
            return f.read()


def _write_atomic(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, fsync, then rename.

    Readers and a crash alike see either no file or the whole file, never a
    partial one; the temporary name starts with a dot and never matches the
    stored-path pattern, so it can never be served.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates 0600; a web server in front may need to read it.
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); not possible on every OS."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
