"""Painterly styles: watercolor, impressionist (oil) and ink.

Each takes the clean rendered scene and re-makes it the way the medium
would: washes that pool at their edges, brush strokes that follow the forms,
brush lines and grey washes on paper.
"""

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from generation.procedural.canvas import Canvas, blur, edge_map, luminance, value_noise


def watercolor(canvas: Canvas, palette, scene, rng) -> None:
    h, w = canvas.height, canvas.width
    pixels = canvas.array()
    soft = blur(pixels, canvas.s(0.004))
    # Pigment collects where a wash dries against another: darken the edges.
    edges = np.abs(pixels - blur(pixels, canvas.s(0.012))).sum(axis=2, keepdims=True)
    wash = soft * (1 - np.clip(edges / 255, 0, 0.35))
    wash = wash * 0.82 + 255 * 0.18  # thin paint: the paper shows through
    blotches = value_noise(rng, w, h, 5, 3)[..., None]
    grain = value_noise(rng, w, h, max(8, canvas.unit // 5), 1)[..., None]  # paper tooth, a few pixels across
    wash = wash * (0.9 + 0.14 * blotches) * (0.97 + 0.03 * grain)
    paper = np.asarray(palette.paper, np.float32)
    border = _ragged_border(rng, w, h, canvas.s(0.035))[..., None]
    canvas.put(wash * (1 - border) + paper * border)


def _ragged_border(rng, w: int, h: int, margin: float) -> np.ndarray:
    """1 on the paper margin, 0 inside; the boundary wobbles like a brushed edge."""
    ys = np.arange(h, dtype=np.float32)[:, None]
    xs = np.arange(w, dtype=np.float32)[None, :]
    inset = np.minimum(np.minimum(xs, w - 1 - xs), np.minimum(ys, h - 1 - ys))
    wobble = value_noise(rng, w, h, 12, 2) * margin
    return np.clip((margin * 0.6 + wobble - inset) / 3.0, 0, 1)


def impressionist(canvas: Canvas, palette, scene, rng) -> None:
    h, w = canvas.height, canvas.width
    under = blur(canvas.array(), canvas.s(0.006))
    base = Image.fromarray(np.clip(under, 0, 255).astype(np.uint8))
    length, width = canvas.s(0.028), canvas.s(0.011)
    n = canvas.count(w * h / (length * width) * 1.1)
    xs, ys = rng.random(n) * (w - 1), rng.random(n) * (h - 1)
    # Strokes follow a smooth flow field, mostly horizontal in the sky like Monet's.
    flow = value_noise(rng, 64, 64, 3, 2)
    angles = (flow[(ys / h * 63).astype(int), (xs / w * 63).astype(int)] - 0.5) * 2.2
    colours = under[ys.astype(int), xs.astype(int)] * rng.uniform(0.88, 1.12, (n, 1))
    colours += rng.normal(0, 7, (n, 3))
    draw = ImageDraw.Draw(base)
    dx, dy = np.cos(angles) * length / 2, np.sin(angles) * length / 2
    stroke = max(1, int(width))
    for x, y, ex, ey, c in zip(xs, ys, dx, dy, np.clip(colours, 0, 255).astype(int).tolist()):
        draw.line((x - ex, y - ey, x + ex, y + ey), fill=tuple(c), width=stroke)
    texture = value_noise(rng, w, h, 48, 1)[..., None]  # canvas weave
    canvas.put(np.asarray(base, np.float32) * (0.95 + 0.08 * texture))


SPECKS = ("stars", "snowfall", "rain", "embers")


def prepare_ink(palette, scene):
    # A brush leaves a night sky or a snowfall as bare paper; inked specks would read as dirt.
    scene.motifs = [m for m in scene.motifs if m.kind not in SPECKS]
    return palette, scene


def ink(canvas: Canvas, palette, scene, rng) -> None:
    h, w = canvas.height, canvas.width
    grey = luminance(blur(canvas.array(), canvas.s(0.003)))
    # Stretch the tones so the lightest third stays bare paper, as in a brush drawing.
    low, high = np.percentile(grey[:: 4, :: 4], (4, 70))
    tone = np.clip((grey - low) / max(1.0, high - low), 0, 1)
    wash = blur(np.floor(tone * 3.99) / 3 * 255, canvas.s(0.004)) / 255  # a few flat washes
    lines = _brush_lines(grey, canvas)
    paper = np.asarray(palette.paper, np.float32)
    ink_colour = np.asarray((28, 26, 30), np.float32)
    darkness = np.clip((1 - wash) * 0.7 + lines * 0.9, 0, 1)
    fibres = value_noise(rng, w, h, 60, 1)[..., None] * 0.05
    canvas.put(paper * (1 - fibres) + (ink_colour - paper) * darkness[..., None])
    _seal(canvas, rng)


def _brush_lines(grey: np.ndarray, canvas: Canvas) -> np.ndarray:
    """Line strength in [0, 1] from the strongest edges, found on a reduced, opened copy."""
    image = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8), "L")
    factor = max(1, canvas.unit // 256)
    small = image.reduce(factor) if factor > 1 else image
    # An opening wipes out stars and snowflakes: a brush would not ring each speck.
    small = small.filter(ImageFilter.MinFilter(5)).filter(ImageFilter.MaxFilter(5))
    small = small.filter(ImageFilter.GaussianBlur(max(1.0, small.size[1] * 0.004)))  # what is left of specks fades
    edges = edge_map(np.asarray(small, np.float32))
    # Only the strongest few percent of edges become lines, so texture does not turn into scribble.
    floor, strong = np.percentile(edges[:: 2, :: 2], (88, 98))
    lines = np.clip((edges - max(floor, 10)) / max(8.0, strong - floor), 0, 1)
    lines = Image.fromarray((lines * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(3))
    return np.asarray(lines.resize(image.size, Image.BILINEAR), np.float32) / 255


def _seal(canvas: Canvas, rng) -> None:
    """The red artist's seal of an ink painting, stamped unevenly near a corner."""
    size = canvas.s(0.07)
    x0 = canvas.width - size * 1.6 if rng.random() < 0.7 else size * 0.6
    y0 = canvas.height - size * 1.6
    canvas.draw.rectangle((x0, y0, x0 + size, y0 + size), fill=(178, 34, 34, 215))
    for _ in range(6):  # the carved marks inside the seal
        a, b = rng.uniform(0.2, 0.8, 2) * size
        canvas.draw.line((x0 + a, y0 + size * 0.2, x0 + b, y0 + size * 0.8), fill=(245, 230, 215, 200), width=max(1, int(size * 0.06)))
