"""Turning untrusted image bytes into clean pixels.

Owns the input limits (bytes, then header pixels before any decoding), the
mapping of every Pillow failure to MediaError, EXIF orientation, colour
conversion to sRGB, and the removal of all metadata carried by the source.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .errors import CorruptImage, MediaTooLarge
from .sniff import ImageKind, sniff

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000

# What Pillow raises on hostile or damaged input (its own fuzzers expect the
# same set); anything else is a bug of ours and should surface as such.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error)
_BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)

# Modes littleCMS converts directly, and the mode each converts to.
_CMS_OUTPUT_MODES = {"RGB": "RGB", "RGBA": "RGBA", "CMYK": "RGB", "L": "RGB"}


@dataclass(slots=True)
class DecodedImage:
    """Upright RGB or RGBA pixels with no metadata, and where they came from."""

    image: Image.Image
    kind: ImageKind

    @property
    def has_alpha(self) -> bool:
        return self.image.mode == "RGBA"


def decode_image(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> DecodedImage:
    """Check limits, decode the first frame, and normalise it.

    Raises UnsupportedMediaType, MediaTooLarge or CorruptImage (all
    MediaError). The result is RGB or RGBA, upright, in sRGB, with an empty
    ``info`` so that nothing of the source's metadata can reach an encoder.
    """
    if len(data) > max_bytes:
        raise MediaTooLarge(f"image is {len(data)} bytes; the limit is {max_bytes}")
    kind = sniff(data)
    name = kind.name.upper()
    try:
        im = _open_checked(data, kind, max_pixels)
        im.load()
        _apply_orientation(im)
        icc = im.info.get("icc_profile")
        if icc:
            im = _to_srgb(im, icc)
        im = _to_rgb(im)
    except _BOMB_ERRORS as exc:
        # Pillow's own process-wide ceiling, met before ours; the warning is
        # caught too for processes that run with warnings as errors.
        raise MediaTooLarge(f"image has too many pixels; the limit is {max_pixels}") from exc
    except UnidentifiedImageError as exc:
        raise CorruptImage(f"not a valid {name} image") from exc
    except _DECODE_ERRORS as exc:
        raise CorruptImage(f"cannot decode {name} image: {exc}") from exc
    im.info = {}
    return DecodedImage(im, kind)


def _open_checked(data: bytes, kind: ImageKind, max_pixels: int) -> Image.Image:
    """Open lazily (headers only) and refuse oversized images before decoding."""
    im = Image.open(io.BytesIO(data), formats=[kind.pillow_format])
    width, height = im.size
    if width * height > max_pixels:
        raise MediaTooLarge(
            f"image is {width}x{height} pixels; the limit is {max_pixels} pixels"
        )
    if width < 1 or height < 1:
        raise CorruptImage("image has no pixels")
    return im


def _apply_orientation(im: Image.Image) -> None:
    """Rotate/flip by the EXIF Orientation tag, in place.

    A broken EXIF block is ignored rather than refused: the pixels are still
    good, and the block is dropped with the rest of the metadata.
    """
    try:
        ImageOps.exif_transpose(im, in_place=True)
    except (SyntaxError, ValueError, struct.error, KeyError, TypeError):
        pass


def _to_rgb(im: Image.Image) -> Image.Image:
    """Reduce every Pillow mode to RGB, or RGBA when transparency is real."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # 16-bit and float greys: scale to 8 bits instead of clipping at 255.
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    wants_alpha = (
        im.mode in ("RGBA", "LA", "PA", "RGBa", "La")
        or "transparency" in im.info
    )
    if not wants_alpha:
        return im if im.mode == "RGB" else im.convert("RGB")
    rgba = im if im.mode == "RGBA" else im.convert("RGBA")
    # A fully opaque alpha channel is not transparency; dropping it lets
    # photos saved as RGBA (WebP, AVIF) be kept as JPEG.
    if rgba.getchannel("A").getextrema() == (255, 255):
        return rgba.convert("RGB")
    return rgba


def _to_srgb(im: Image.Image, icc: bytes) -> Image.Image:
    """Convert pixels from an embedded colour profile to sRGB.

    The profile is stripped with the other metadata, so without this a
    Display P3 photo would look washed out. An unreadable profile is
    ignored: the pixels are then assumed to be sRGB already.
    """
    if im.mode not in _CMS_OUTPUT_MODES:
        return im
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(source).lower():
            return im
        # A fresh sRGB profile per call: littleCMS profile handles read their
        # tags lazily and are not safe to share between threads.
        srgb = ImageCms.createProfile("sRGB")
        output_mode = _CMS_OUTPUT_MODES[im.mode]
        return ImageCms.profileToProfile(im, source, srgb, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return im
