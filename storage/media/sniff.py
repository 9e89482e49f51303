"""Image type detection from magic numbers.

The type of an upload is decided here from its first bytes only; the file
name and the Content-Type a client sent are never consulted, since both are
chosen by the sender.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from PIL import Image

from .errors import UnsupportedMediaType


@dataclass(frozen=True, slots=True)
class ImageKind:
    """An accepted input type: short name, IANA media type, Pillow format."""

    name: str
    media_type: str
    pillow_format: str


JPEG = ImageKind("jpeg", "image/jpeg", "JPEG")
PNG = ImageKind("png", "image/png", "PNG")
GIF = ImageKind("gif", "image/gif", "GIF")
WEBP = ImageKind("webp", "image/webp", "WEBP")
AVIF = ImageKind("avif", "image/avif", "AVIF")
# pillow-heif registers itself under this format name when it is installed.
HEIC = ImageKind("heic", "image/heic", "HEIF")

# ISO BMFF brands (ISO/IEC 23008-12 and the AV1 image format spec). "mif1"
# and "msf1" are generic HEIF brands also found on AVIF files, so an AVIF
# brand anywhere in the list wins over them.
_AVIF_BRANDS = {b"avif", b"avis"}
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def sniff(data: bytes) -> ImageKind:
    """Return the image type the bytes start with, or raise UnsupportedMediaType."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    kind = _sniff_bmff(data)
    if kind is not None:
        return _require_decoder(kind)
    raise UnsupportedMediaType(
        "unsupported image type: expected JPEG, PNG, GIF, WebP or AVIF"
    )


def _sniff_bmff(data: bytes) -> ImageKind | None:
    """Classify an ISO BMFF file (AVIF, HEIC) from its leading ftyp box."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return None
    (box_size,) = struct.unpack(">I", data[:4])
    end = min(box_size, len(data), 256)
    # Major brand, then (after the 4-byte minor version) compatible brands.
    brands = {data[8:12]}
    brands.update(data[i : i + 4] for i in range(16, end - 3, 4))
    if brands & _AVIF_BRANDS:
        return AVIF
    if brands & _HEIC_BRANDS:
        return HEIC
    return None


def _require_decoder(kind: ImageKind) -> ImageKind:
    """Refuse a type whose decoder this Pillow build lacks (HEIC usually)."""
    if kind.pillow_format not in Image.OPEN:
        raise UnsupportedMediaType(
            f"{kind.name.upper()} images are not supported by this server"
        )
    return kind
