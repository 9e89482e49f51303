"""Style renderers: how each catalogued style changes the palette, the scene and the finished pixels."""

from dataclasses import dataclass
from typing import Callable

from generation.procedural.styles import neon
from generation.procedural.styles.graphic import geometric, low_poly, pixel_art
from generation.procedural.styles.paint import impressionist, ink, prepare_ink, watercolor


def _same(palette, scene):
    return palette, scene


@dataclass(frozen=True)
class StyleRenderer:
    finish: Callable  # (canvas, palette, scene, rng) -> None, changes canvas in place
    prepare: Callable = _same  # (palette, scene) -> (palette, scene), before anything is drawn


STYLE_RENDERERS: dict[str, StyleRenderer] = {
    "watercolor": StyleRenderer(watercolor),
    "impressionist": StyleRenderer(impressionist),
    "pixel-art": StyleRenderer(pixel_art),
    "geometric": StyleRenderer(geometric),
    "synthwave": StyleRenderer(neon.synthwave, neon.prepare),
    "ink": StyleRenderer(ink, prepare_ink),
    "low-poly": StyleRenderer(low_poly),
}
