"""Blurhash placeholders (https://blurha.sh), from the compiled C encoder.

blurhash-python's public encode() copies pixels through Python lists via
Image.getdata(), which Pillow deprecates (removed in Pillow 14). We hand the
same C function a flat RGB buffer from tobytes() instead, and fall back to
the public wrapper should the binding ever move.
"""

from __future__ import annotations

import blurhash as _blurhash
from PIL import Image

try:
    from blurhash._functions import ffi as _ffi, lib as _lib
except ImportError:  # pragma: no cover - depends on blurhash-python internals
    _ffi = _lib = None

# Blurhash keeps only a few cosine components, so 32 px of input gives the
# same string as the full image at a fraction of the cost.
BLURHASH_SIDE = 32
# The longest hash (9x9 components): size and range flags, 4 characters of
# average colour, 2 per other component, and the C string's NUL.
_MAX_HASH_BYTES = 2 + 4 + 2 * (9 * 9 - 1) + 1


def blurhash_components(width: int, height: int) -> tuple[int, int]:
    """More components along the longer side: 4x3 landscape/square, 3x4 portrait."""
    return (4, 3) if width >= height else (3, 4)


def compute_blurhash(image: Image.Image) -> str:
    """Blurhash of an image, computed on a thumbnail of at most 32 px a side."""
    thumb = image.copy()
    thumb.thumbnail((BLURHASH_SIDE, BLURHASH_SIDE), Image.Resampling.BILINEAR)
    if thumb.mode != "RGB":
        # The encoder has no alpha; transparent pixels usually hold black,
        # while clients draw transparent images on a light background.
        backdrop = Image.new("RGBA", thumb.size, (255, 255, 255, 255))
        thumb = Image.alpha_composite(backdrop, thumb.convert("RGBA")).convert("RGB")
    x_components, y_components = blurhash_components(*image.size)
    return _encode(thumb, x_components, y_components)


def _encode(rgb: Image.Image, x_components: int, y_components: int) -> str:
    if _lib is None:  # pragma: no cover
        return _blurhash.encode(rgb, x_components, y_components)
    width, height = rgb.size
    pixels = _ffi.from_buffer("uint8_t[]", rgb.tobytes())
    destination = _ffi.new("char[]", _MAX_HASH_BYTES)
    result = _lib.create_hash_from_pixels(
        x_components, y_components, width, height, pixels, width * 3, destination
    )
    if result == _ffi.NULL:
        raise ValueError(f"invalid blurhash components {x_components}x{y_components}")
    return _ffi.string(result).decode("ascii")
