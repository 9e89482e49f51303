"""Motifs laid over the whole picture: snowfall, rain, embers and mist."""

import numpy as np

from generation.procedural.canvas import Canvas, mix, value_noise, with_alpha
from generation.procedural.composition import Motif, Scene
from generation.procedural.palette import Palette


def _scaled_count(canvas: Canvas, base: int) -> int:
    return canvas.count(base * canvas.width * canvas.height / canvas.unit**2)


def draw_snowfall(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    n = _scaled_count(canvas, motif.params["count"])
    draw = canvas.draw
    for x, y, k in zip(rng.random(n) * canvas.width, rng.random(n) * canvas.height, rng.random(n)):
        r = canvas.s(0.002 + 0.006 * k**3)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=with_alpha((250, 252, 255), 0.55 + 0.4 * k))


def draw_rain(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    n = _scaled_count(canvas, motif.params["count"])
    draw, slant = canvas.draw, rng.uniform(-0.35, 0.35)
    colour = with_alpha(mix(palette.sky_bottom, palette.paper, 0.5), 0.45)
    for x, y, k in zip(rng.random(n) * canvas.width, rng.random(n) * canvas.height, rng.random(n)):
        length = canvas.s(0.02 + 0.03 * k)
        draw.line((x, y, x + slant * length, y + length), fill=colour, width=1)


def draw_embers(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    n = _scaled_count(canvas, motif.params["count"])
    draw = canvas.draw
    for x, y, k in zip(rng.random(n) * canvas.width, rng.random(n) ** 0.7 * canvas.height, rng.random(n)):
        r = canvas.s(0.002 + 0.004 * k)
        draw.ellipse((x - r * 2.5, y - r * 2.5, x + r * 2.5, y + r * 2.5), fill=(255, 120, 30, 50))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 220, 120, 230))


def draw_mist(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    h, w = canvas.height, canvas.width
    rows = np.arange(h, dtype=np.float32)[:, None] / h
    # Thickest just under the horizon, where distance would hide things anyway.
    band = np.exp(-((rows - scene.horizon - 0.05) / 0.18) ** 2)
    amount = band * (0.35 + 0.45 * value_noise(rng, w, h, 4, 2))
    pixels = canvas.array()
    haze = np.asarray(mix(palette.sky_bottom, palette.paper, 0.4), np.float32)
    canvas.put(pixels + (haze - pixels) * amount[..., None])
