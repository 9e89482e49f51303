"""Remix: repaint a source image's own pixels toward a new prompt.

The source is decoded with a pixel limit (it may come from a remote server),
fitted to the requested size, and its tones are mapped onto the new palette
while keeping its light and shade, so the original stays recognisable
under the new prompt's colours, motifs and style.
"""

import io
import warnings

import numpy as np
from PIL import Image, ImageOps

from generation.errors import InvalidGenerationRequest
from generation.procedural.canvas import Canvas, luminance
from generation.procedural.palette import Palette

MAX_SOURCE_PIXELS = 40_000_000
REPAINT = 0.65  # how much of each pixel becomes the new palette; the rest stays the source's own colour


def decode_source(data: bytes, size: tuple[int, int]) -> Image.Image:
    """The source as an RGB image of exactly `size`, cropped to fill it; InvalidGenerationRequest if unusable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_SOURCE_PIXELS:
                    raise InvalidGenerationRequest(f"the source image has more than {MAX_SOURCE_PIXELS} pixels")
                image.draft("RGB", size)  # lets JPEG decode at a reduced scale
                image = ImageOps.exif_transpose(image)
                rgb = _flatten(image)
    except InvalidGenerationRequest:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidGenerationRequest(f"the source image could not be decoded: {exc}") from None
    return ImageOps.fit(rgb, size, Image.BILINEAR)


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return image.convert("RGB")


def tone_ramp(palette: Palette) -> tuple[np.ndarray, np.ndarray]:
    """Palette colours ordered dark to light, with the tone each one should take over."""
    stops = [palette.ink, palette.near, palette.mid, palette.far, palette.water, palette.sky_top,
             palette.sky_bottom, palette.glow, palette.light, palette.paper]
    colours = np.asarray(sorted(stops, key=lambda c: luminance(np.asarray(c, np.float32))), np.float32)
    own = luminance(colours) / 255
    rank = np.linspace(0, 1, len(colours))
    # Half by rank, half by the colour's own lightness: contrast survives a dark palette.
    positions = np.maximum.accumulate(rank * 0.5 + own * 0.5)
    return positions, colours


def paint_source(canvas: Canvas, data: bytes, palette: Palette, rng) -> None:
    source = np.asarray(decode_source(data, (canvas.width, canvas.height)), np.float32)
    tone = luminance(source) / 255
    positions, colours = tone_ramp(palette)
    mapped = np.stack([np.interp(tone, positions, colours[:, c]) for c in range(3)], axis=-1)
    canvas.put(source * (1 - REPAINT) + mapped * REPAINT)
