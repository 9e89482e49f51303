"""The image pipeline: untrusted bytes in, files ready to store and federate out.

Owns the output rules: the original is re-encoded (PNG when it has real
transparency or came as PNG/GIF, JPEG otherwise) at most 5000 px a side, a
WebP preview about 640 px on the long side, a blurhash, the focal point, and
the XMP provenance of generated images. Re-encoding every upload is what
guarantees that none of its metadata (EXIF, GPS, XMP, comments) survives.

process_image() is synchronous and CPU-bound; callers run it in a thread.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, PngImagePlugin

from .blur import compute_blurhash
from .decode import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, decode_image
from .focus import Focus, validate_focus
from .sniff import GIF, PNG
from .xmp import Provenance, build_xmp

# Mastodon and the DESIGN wire rules cap width and height at 5000.
MAX_SIDE = 5000
PREVIEW_SIDE = 640
JPEG_QUALITY = 90
# zlib level 4 is about 3x faster than Pillow's default 6 on a 1024x1024
# generated image for about 3% more bytes (bench/media.py: 128 vs 381 ms).
PNG_COMPRESS_LEVEL = 4
WEBP_QUALITY = 80


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    """Encoded original and preview plus what a media attachment row needs."""

    original_bytes: bytes
    original_media_type: str
    preview_bytes: bytes
    preview_media_type: str
    width: int
    height: int
    preview_width: int
    preview_height: int
    blurhash: str
    focus: Focus
    sha256: str
    source_media_type: str
    provenance: Provenance | None = None


def process_image(
    data: bytes,
    *,
    provenance: Provenance | None = None,
    focus: Sequence[float] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ProcessedImage:
    """Validate, clean and re-encode one image.

    ``provenance`` is given for generated images only; it is embedded as
    XMP in the original and the preview. Raises MediaError (or a subclass)
    for anything that cannot be accepted.
    """
    # The focal point is checked first: refusing it costs no decoding.
    checked_focus = validate_focus(focus)
    decoded = decode_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    image = fit_within(decoded.image, MAX_SIDE)
    xmp = build_xmp(provenance) if provenance is not None else None
    lossless = decoded.has_alpha or decoded.kind in (PNG, GIF)
    original, original_type = encode_original(image, lossless=lossless, xmp=xmp)
    preview = make_preview(image)
    return ProcessedImage(
        original_bytes=original,
        original_media_type=original_type,
        preview_bytes=encode_preview(preview, xmp=xmp),
        preview_media_type="image/webp",
        width=image.width,
        height=image.height,
        preview_width=preview.width,
        preview_height=preview.height,
        blurhash=compute_blurhash(preview),
        focus=checked_focus,
        sha256=hashlib.sha256(original).hexdigest(),
        source_media_type=decoded.kind.media_type,
        provenance=provenance,
    )


def fit_within(image: Image.Image, side: int, *, reducing_gap: float = 3.0) -> Image.Image:
    """Downscale so that neither side exceeds ``side``, keeping the aspect ratio."""
    width, height = image.size
    if max(width, height) <= side:
        return image
    if width >= height:
        size = (side, max(1, round(height * side / width)))
    else:
        size = (max(1, round(width * side / height)), side)
    # reducing_gap lets Pillow box-reduce first; 3.0 is visually the same as
    # a plain Lanczos resize and several times faster on big photos.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=reducing_gap)


def make_preview(image: Image.Image, side: int = PREVIEW_SIDE) -> Image.Image:
    """The small image shown in timelines; never larger than the original."""
    return fit_within(image, side, reducing_gap=2.0)


def encode_original(
    image: Image.Image, *, lossless: bool, xmp: bytes | None = None
) -> tuple[bytes, str]:
    """Encode the kept original as PNG or JPEG; return (bytes, media type)."""
    out = io.BytesIO()
    if lossless:
        pnginfo = None
        if xmp is not None:
            # The XMP spec's PNG form: an uncompressed iTXt chunk with this key.
            pnginfo = PngImagePlugin.PngInfo()
            pnginfo.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"), zip=False)
        image.save(out, "PNG", pnginfo=pnginfo, compress_level=PNG_COMPRESS_LEVEL)
        return out.getvalue(), "image/png"
    extra = {"xmp": xmp} if xmp is not None else {}
    # optimize (Huffman tables) is lossless and saves 5-12% for about 2x the
    # encoding time; originals are written once and served many times.
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, **extra)
    return out.getvalue(), "image/jpeg"


def encode_preview(image: Image.Image, *, xmp: bytes | None = None) -> bytes:
    """Encode the preview as WebP, carrying the same provenance as the original."""
    out = io.BytesIO()
    extra = {"xmp": xmp} if xmp is not None else {}
    image.save(out, "WEBP", quality=WEBP_QUALITY, **extra)
    return out.getvalue()
