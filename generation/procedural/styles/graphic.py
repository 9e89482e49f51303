"""Graphic styles: pixel art, flat geometric poster, low-poly facets."""

import numpy as np
from PIL import Image, ImageDraw

from generation.procedural.canvas import Canvas, blur, edge_map, with_alpha

# Bayer 4x4 ordered-dither thresholds: the shading pattern of old game consoles.
BAYER = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32) / 16 - 0.5


def pixel_art(canvas: Canvas, palette, scene, rng) -> None:
    w, h = canvas.width, canvas.height
    block = max(2, int(round(canvas.unit / 80)))
    small_w, small_h = max(8, w // block), max(8, h // block)
    small = np.asarray(canvas.image.resize((small_w, small_h), Image.BOX), np.float32)
    threshold = np.tile(BAYER, (small_h // 4 + 1, small_w // 4 + 1))[:small_h, :small_w, None]
    dithered = Image.fromarray(np.clip(small + threshold * 28, 0, 255).astype(np.uint8))
    canvas.set_image(flat_colours(dithered, 16).resize((w, h), Image.NEAREST))


def geometric(canvas: Canvas, palette, scene, rng) -> None:
    flat = Image.fromarray(np.clip(blur(canvas.array(), canvas.s(0.005)), 0, 255).astype(np.uint8))
    flat = flat_colours(flat, 12)
    outline = edge_map(np.asarray(flat.convert("L"), np.float32))[..., None] > 6
    pixels = np.asarray(flat, np.float32)
    pixels = np.where(outline, pixels * 0.55, pixels)  # a thin dark line where two flat areas meet
    canvas.put(pixels)
    _bauhaus_overlay(canvas, palette, rng)


def flat_colours(image: Image.Image, colours: int) -> Image.Image:
    """The image in `colours` flat colours; the palette is chosen on a reduced copy, which is much faster."""
    factor = max(1, min(image.size) // 256)
    palette = image.reduce(factor).quantize(colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    return image.quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB")


def _bauhaus_overlay(canvas: Canvas, palette, rng) -> None:
    colours = list(palette.accents) + [palette.paper]
    for _ in range(int(rng.integers(2, 5))):
        cx, cy, r = canvas.x(rng.random()), canvas.y(rng.uniform(0, 0.6)), canvas.s(rng.uniform(0.05, 0.2))
        colour = with_alpha(colours[int(rng.integers(len(colours)))], 0.45)
        if rng.random() < 0.5:
            canvas.draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=colour, width=int(r * 0.15) + 1)
        else:
            start = float(rng.choice([0, 90, 180, 270]))
            canvas.draw.pieslice((cx - r, cy - r, cx + r, cy + r), start, start + 180, fill=colour)


def low_poly(canvas: Canvas, palette, scene, rng) -> None:
    w, h = canvas.width, canvas.height
    cell = max(6.0, canvas.unit / 26)
    cols, rows = int(np.ceil(w / cell)) + 1, int(np.ceil(h / cell)) + 1
    gx, gy = np.meshgrid(np.linspace(0, w, cols), np.linspace(0, h, rows))
    jitter = (rng.random((2, rows, cols)) - 0.5) * cell * 0.8
    inner = (slice(1, -1), slice(1, -1))  # the frame stays straight so the corners are covered
    gx[inner] += jitter[0][inner]
    gy[inner] += jitter[1][inner]
    source = blur(canvas.array(), cell * 0.2)
    out = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(out)
    for j in range(rows - 1):
        for i in range(cols - 1):
            a, b = (gx[j, i], gy[j, i]), (gx[j, i + 1], gy[j, i + 1])
            c, d = (gx[j + 1, i], gy[j + 1, i]), (gx[j + 1, i + 1], gy[j + 1, i + 1])
            flip = (i + j) % 2 == 0
            for tri in ((a, b, d), (a, d, c)) if flip else ((a, b, c), (b, d, c)):
                colour = _facet_colour(source, tri, w, h, rng)
                draw.polygon(tri, fill=colour, outline=colour)
    canvas.set_image(out)


def _facet_colour(source: np.ndarray, tri, w: int, h: int, rng) -> tuple[int, int, int]:
    cx = min(w - 1, max(0, int(sum(p[0] for p in tri) / 3)))
    cy = min(h - 1, max(0, int(sum(p[1] for p in tri) / 3)))
    tone = source[cy, cx] * rng.uniform(0.9, 1.1)  # each facet catches the light a little differently
    return tuple(int(v) for v in np.clip(tone, 0, 255))
