"""Synthwave: a dark sky, a striped sun, glowing outlines and a perspective grid."""

from dataclasses import replace

import numpy as np
from PIL import Image, ImageDraw

from generation.procedural.canvas import Canvas, blur, edge_map, luminance, mix

MAGENTA, CYAN, VIOLET = (255, 46, 170), (40, 230, 255), (120, 40, 200)


def prepare(palette, scene):
    # The genre's own light wins over the prompt's, but the prompt's colours still tint it.
    accent = palette.accents[0] if palette.accents else MAGENTA
    neon = replace(
        palette,
        sky_top=(16, 6, 40), sky_bottom=mix(MAGENTA, accent, 0.25), glow=mix(MAGENTA, (255, 200, 80), 0.5),
        light=(255, 214, 90), far=(60, 20, 90), mid=(34, 12, 60), near=(18, 6, 34), water=(30, 10, 60),
    )
    if scene.landscape:
        # The genre's sun sits on the horizon in the middle, whatever the hour.
        scene.motifs = [m for m in scene.motifs if m.kind not in ("sun", "moon")]
        scene.sun = (0.5, scene.horizon - 0.08, 0.17)
    return neon, scene


def synthwave(canvas: Canvas, palette, scene, rng) -> None:
    pixels = canvas.array()
    lines = np.clip(edge_map(luminance(pixels)) / 40, 0, 1)[..., None]
    h = canvas.height
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    edge_colour = np.asarray(CYAN, np.float32) * (1 - t) + np.asarray(MAGENTA, np.float32) * t
    pixels = pixels * 0.75 + edge_colour * lines
    canvas.put(pixels)
    if scene.landscape:
        _grid(canvas, scene)
    if scene.sun is not None and scene.landscape:
        _striped_sun(canvas, scene)
    _glow_and_scanlines(canvas)


def _grid(canvas: Canvas, scene) -> None:
    w, h, draw = canvas.width, canvas.height, canvas.draw
    top = scene.horizon * h
    width = max(1, int(canvas.s(0.003)))
    for k in range(1, 16):  # rows crowd toward the horizon as they recede
        y = top + (h - top) * (k / 15) ** 2.2
        draw.line((0, y, w, y), fill=(*MAGENTA, 200), width=width)
    for k in range(-12, 13):
        x = w / 2 + k * w / 12
        draw.line((w / 2 + (x - w / 2) * 0.08, top, x + (x - w / 2) * 1.5, h), fill=(*MAGENTA, 200), width=width)


def _striped_sun(canvas: Canvas, scene) -> None:
    sx, sy, r = scene.sun
    cx, cy, radius = canvas.x(sx), canvas.y(sy), canvas.s(max(r, 0.12))
    sun = Image.new("L", canvas.image.size)
    draw = ImageDraw.Draw(sun)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=255)
    for k in range(6):  # the gaps widen toward the bottom of the sun
        y = cy + radius * (0.1 + k * 0.16)
        draw.rectangle((cx - radius, y, cx + radius, y + radius * 0.03 * (k + 1)), fill=0)
    horizon = int(canvas.y(scene.horizon))
    draw.rectangle((0, horizon, canvas.width, canvas.height), fill=0)
    colour = np.zeros((canvas.height, canvas.width, 3), np.float32)
    t = np.clip((np.arange(canvas.height, dtype=np.float32) - (cy - radius)) / (2 * radius), 0, 1)[:, None, None]
    colour += np.asarray((255, 230, 90), np.float32) * (1 - t) + np.asarray(MAGENTA, np.float32) * t
    gradient = Image.fromarray(colour.astype(np.uint8))
    canvas.set_image(Image.composite(gradient, canvas.image, sun))


def _glow_and_scanlines(canvas: Canvas) -> None:
    pixels = canvas.array()
    bright = np.clip(pixels - 140, 0, 255) * 1.6
    pixels = pixels + blur(bright, canvas.s(0.012)) * 0.8
    pixels[::3] *= 0.9  # CRT scanlines
    canvas.put(pixels)
