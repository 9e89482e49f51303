"""Motifs of the sky: the gradient itself, sun, moon, stars, clouds, nebulae and planets."""

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from generation.procedural.canvas import Canvas, blur_image, mix, shade, value_noise, with_alpha
from generation.procedural.composition import Motif, Scene
from generation.procedural.palette import Palette


def draw_sky(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    # The sky is smooth: compute it at a quarter of the size and let Pillow scale it up.
    w, h = max(16, canvas.width // 4), max(16, canvas.height // 4)
    rows = np.arange(h, dtype=np.float32)[:, None, None]
    t = np.clip(rows / max(1.0, scene.horizon * h), 0, 1) ** 1.2
    sky = np.asarray(palette.sky_top, np.float32) * (1 - t) + np.asarray(palette.sky_bottom, np.float32) * t
    sky = np.broadcast_to(sky, (h, w, 3)).copy()
    # A haze band at the horizon reads as distance even in flat styles.
    band = np.exp(-(((rows[..., 0] / h) - scene.horizon) / 0.07) ** 2) * 0.35
    sky += (np.asarray(palette.glow, np.float32) - sky) * band[..., None]
    if scene.sun is not None:
        sky = _glow(sky, palette.glow, scene.sun, w, h, strength=0.85 if scene.time != "day" else 0.5)
    grain = value_noise(rng, w, h, 3, 2)[..., None]
    small = Image.fromarray(np.clip(sky * (0.95 + 0.1 * grain), 0, 255).astype(np.uint8), "RGB")
    canvas.set_image(small.resize((canvas.width, canvas.height), Image.BICUBIC))


def _glow(sky: np.ndarray, colour, sun, w: int, h: int, strength: float) -> np.ndarray:
    sx, sy, r = sun
    unit = min(w, h)
    ys = (np.arange(h, dtype=np.float32) - sy * h)[:, None] / unit
    xs = (np.arange(w, dtype=np.float32) - sx * w)[None, :] / unit
    distance = np.sqrt(xs * xs + ys * ys)
    amount = (np.exp(-distance / (r * 3.0)) * strength)[..., None]
    return sky + (np.asarray(colour, np.float32) - sky) * amount


def draw_sun(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    p = motif.params
    cx, cy, r = canvas.x(p["x"]), canvas.y(p["y"]), canvas.s(p["r"])
    for k, alpha in ((1.6, 0.12), (1.25, 0.22)):
        canvas.draw.ellipse((cx - r * k, cy - r * k, cx + r * k, cy + r * k), fill=with_alpha(palette.glow, alpha))
    canvas.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=palette.light)


def draw_moon(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    p = motif.params
    cx, cy, r = canvas.x(p["x"]), canvas.y(p["y"]), canvas.s(p["r"])
    draw = canvas.draw
    draw.ellipse((cx - r * 1.5, cy - r * 1.5, cx + r * 1.5, cy + r * 1.5), fill=with_alpha(palette.glow, 0.15))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=palette.light)
    for _ in range(5):  # maria: the grey patches that make a disc read as the moon
        mx, my = cx + rng.uniform(-0.5, 0.5) * r, cy + rng.uniform(-0.5, 0.5) * r
        mr = r * rng.uniform(0.12, 0.3)
        draw.ellipse((mx - mr, my - mr, mx + mr, my + mr), fill=with_alpha(shade(palette.light, 0.75), 0.45))
    if p["phase"] < 0.9:  # a crescent: the unlit part takes the colour of the sky around it
        behind = canvas.image.getpixel((int(min(canvas.width - 1, cx + r * 1.6)), int(cy)))
        off = r * (0.35 + p["phase"])
        shadow_disc(canvas, (cx, cy, r), (off, -off * 0.2), behind, 0.93)


def shadow_disc(canvas: Canvas, disc, offset, colour, alpha: float) -> None:
    """Darken the part of a disc that an offset copy of it covers: a phase or a terminator."""
    cx, cy, r = disc
    box = (int(cx - r) - 1, int(cy - r) - 1, int(cx + r) + 2, int(cy + r) + 2)
    size = (box[2] - box[0], box[3] - box[1])
    inside, covered = Image.new("L", size), Image.new("L", size)
    lx, ly = cx - box[0], cy - box[1]
    ImageDraw.Draw(inside).ellipse((lx - r, ly - r, lx + r, ly + r), fill=int(255 * alpha))
    ox, oy = lx + offset[0], ly + offset[1]
    ImageDraw.Draw(covered).ellipse((ox - r, oy - r, ox + r, oy + r), fill=255)
    mask = ImageChops.multiply(inside, covered)
    canvas.image.paste(Image.new("RGB", size, colour), box[:2], mask)


def draw_stars(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    count = canvas.count(motif.params["count"] * canvas.width * canvas.height / canvas.unit**2)
    xs = rng.random(count) * canvas.width
    ys = (rng.random(count) ** 1.4) * canvas.height * scene.horizon
    sizes = canvas.s(0.0016) * (0.5 + rng.random(count) ** 4 * 2.5)
    alphas = rng.uniform(0.45, 1.0, count)
    draw = canvas.draw
    for x, y, s, a in zip(xs, ys, sizes, alphas):
        draw.ellipse((x - s, y - s, x + s, y + s), fill=with_alpha(palette.paper, a))
        if s > canvas.s(0.0035):  # the brightest few get a cross of light
            draw.line((x - s * 3, y, x + s * 3, y), fill=with_alpha(palette.paper, a * 0.5))
            draw.line((x, y - s * 3, x, y + s * 3), fill=with_alpha(palette.paper, a * 0.5))


def draw_clouds(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    p = motif.params
    body, lit = Image.new("L", canvas.image.size), Image.new("L", canvas.image.size)
    body_draw, lit_draw = ImageDraw.Draw(body), ImageDraw.Draw(lit)
    for _ in range(p["count"]):
        cx, cy = canvas.x(rng.uniform(-0.05, 1.05)), canvas.y(rng.uniform(0.05, scene.horizon * 0.75))
        size = canvas.s(rng.uniform(0.05, 0.11))
        stretch = rng.uniform(2.5, 5.0) if p["streaky"] else rng.uniform(1.2, 2.0)
        for _ in range(int(rng.integers(5, 10))):
            dx, dy = rng.normal(0, 1.1) * size * stretch / 2, rng.normal(0, 0.35) * size
            rx, ry = size * rng.uniform(0.5, 1.0) * (stretch / 1.6 if p["streaky"] else 1), size * rng.uniform(0.4, 0.8)
            box = (cx + dx - rx, cy + dy - ry, cx + dx + rx, cy + dy + ry * (0.5 if p["streaky"] else 0.8))
            body_draw.ellipse(box, fill=220)
            lit_draw.ellipse((box[0], box[1] - ry * 0.3, box[2], box[3] - ry * 0.55), fill=255)
    radius = canvas.s(0.008)
    body, lit = blur_image(body, radius), blur_image(lit, radius)
    if p["dark"]:
        under, top = shade(palette.sky_top, 0.7), mix(palette.sky_bottom, palette.sky_top, 0.3)
    else:
        under, top = mix(palette.sky_top, palette.glow, 0.55), mix(palette.glow, palette.paper, 0.5)
    canvas.set_image(Image.composite(Image.new("RGB", body.size, under), canvas.image, body))
    canvas.set_image(Image.composite(Image.new("RGB", lit.size, top), canvas.image, lit.point(lambda v: v * 0.8)))


def draw_nebula(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    pixels = canvas.array()
    h, w = canvas.height, canvas.width
    for colour in palette.accents[:2]:
        cloud = value_noise(rng, w, h, 3, 4)
        amount = (np.clip(cloud - 0.45, 0, 1) * 1.6) ** 1.5 * 0.8
        pixels += (np.asarray(colour, np.float32) - pixels) * amount[..., None]
    canvas.put(pixels)


def draw_planet(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    p = motif.params
    cx, cy, r = canvas.x(p["x"]), canvas.y(p["y"]), canvas.s(p["r"])
    colour = palette.accents[int(rng.integers(len(palette.accents)))]
    draw = canvas.draw
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    for k in range(1, 5):  # bands across the disc
        y = cy - r + 2 * r * k / 5
        draw.line((cx - r * 0.95, y, cx + r * 0.95, y), fill=with_alpha(shade(colour, 1.25), 0.3), width=int(r * 0.12) + 1)
    shadow_disc(canvas, (cx, cy, r), (r * 0.45, r * 0.22), palette.ink, 0.6)
    if p["ringed"]:
        draw.ellipse((cx - r * 1.9, cy - r * 0.45, cx + r * 1.9, cy + r * 0.45), outline=with_alpha(palette.paper, 0.8),
                     width=int(r * 0.08) + 1)
