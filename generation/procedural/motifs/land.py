"""Motifs of the land: mountain ridges, hills, dunes, water and flames.

Land layers are filled below a profile curve with array maths, so they get
soft edges, slope lighting and a depth gradient at little cost.
"""

import numpy as np
from PIL import Image

from generation.procedural.canvas import RGB, Canvas, blur, fractal_curve, mix, shade, value_noise
from generation.procedural.composition import Motif, Scene
from generation.procedural.palette import Palette


def fill_below(canvas: Canvas, top: np.ndarray, colour: RGB, bottom: RGB, light: np.ndarray | None = None) -> None:
    """Paint everything under the curve `top` (fractions of the height, sampled across the width)."""
    h, w = canvas.height, canvas.width
    ys = np.interp(np.linspace(0, len(top) - 1, w), np.arange(len(top)), top) * h
    first = int(max(0, np.floor(ys.min())))
    if first >= h:
        return
    rows = np.arange(first, h, dtype=np.float32)[:, None]
    coverage = np.clip((rows - ys[None, :] + 0.5) * 255, 0, 255).astype(np.uint8)  # anti-aliased edge
    t = np.linspace(0, 1, h - first, dtype=np.float32)[:, None]
    column = np.asarray(colour, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    if light is None:
        fill = np.broadcast_to(np.clip(column, 0, 255).astype(np.uint8)[:, None, :], (h - first, w, 3))
    else:
        lit = np.interp(np.linspace(0, len(light) - 1, w), np.arange(len(light)), light).astype(np.float32)
        # Slope light is strongest at the crest and fades down the face, as facets turn away into shadow.
        fade = np.exp(-np.clip(rows - ys[None, :], 0, None) / (0.15 * h))
        fill = np.clip(column[:, None, :] * (1 + (lit[None, :] - 1) * fade)[..., None], 0, 255).astype(np.uint8)
    # Pillow's masked paste blends in C, far cheaper than doing it in arrays.
    canvas.image.paste(Image.fromarray(np.ascontiguousarray(fill), "RGB"), (0, first), Image.fromarray(coverage, "L"))


def slope_light(top: np.ndarray, scene: Scene, strength: float) -> np.ndarray:
    """Per-column brightness from the profile's slope: faces turned to the sun are lit."""
    slope = np.gradient(top) * len(top)
    toward = 1.0 if scene.sun is None or scene.sun[0] < 0.5 else -1.0
    return 1.0 + strength * np.tanh(slope * toward * 0.6)


def _layer_colour(palette: Palette, depth: int, layers: int = 3) -> RGB:
    tones = (palette.far, palette.mid, palette.near)
    return tones[min(2, depth + 3 - layers)]


def draw_ridge(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    p = motif.params
    colour = _layer_colour(palette, p["depth"], p["layers"])
    top = p["top"]
    light = slope_light(top, scene, 0.22)
    fill_below(canvas, top, colour, mix(colour, palette.sky_bottom, 0.35), light)
    if p["snowcap"]:
        _snowcap(canvas, palette, scene, top, light, rng)


def _snowcap(canvas: Canvas, palette: Palette, scene: Scene, top: np.ndarray, light: np.ndarray, rng) -> None:
    # Snow lies above a snowline that wanders a little, not in a band that follows the ridge.
    peak = top.min()
    snowline = peak + (scene.horizon - peak) * rng.uniform(0.3, 0.5)
    lower = snowline + (fractal_curve(rng, len(top), 24, 2, True) - 0.5) * (scene.horizon - peak) * 0.25
    lower = np.maximum(lower, top)
    snow = palette.paper if scene.time in ("day", "storm") else mix(palette.paper, palette.far, 0.55)
    _fill_between(canvas, np.where(lower > top, top, 2.0), lower, snow, light)


def _fill_between(canvas: Canvas, top: np.ndarray, bottom: np.ndarray, colour: RGB, light: np.ndarray) -> None:
    h, w = canvas.height, canvas.width
    across = np.linspace(0, len(top) - 1, w)
    y0 = np.interp(across, np.arange(len(top)), top) * h
    y1 = np.interp(across, np.arange(len(bottom)), bottom) * h
    lit = np.interp(across, np.arange(len(light)), light).astype(np.float32)
    first, last = int(max(0, y0.min())), int(min(h, np.ceil(y1.max()) + 1))
    if first >= last:
        return
    rows = np.arange(first, last, dtype=np.float32)[:, None]
    coverage = np.clip(rows - y0 + 0.5, 0, 1) * np.clip(y1 - rows, 0, 1) * 255
    fill = np.clip(np.asarray(colour, np.float32)[None, None, :] * lit[None, :, None], 0, 255).astype(np.uint8)
    fill = np.broadcast_to(fill, (last - first, w, 3))
    canvas.image.paste(Image.fromarray(np.ascontiguousarray(fill), "RGB"), (0, first),
                       Image.fromarray(coverage.astype(np.uint8), "L"))


def draw_hill(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    colour = _layer_colour(palette, motif.params["depth"])
    fill_below(canvas, motif.params["top"], colour, shade(colour, 0.7), slope_light(motif.params["top"], scene, 0.12))


def draw_dune(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    colour = _layer_colour(palette, motif.params["depth"])
    top = motif.params["top"]
    # Dunes read by their hard split between the sunny and the shaded face.
    fill_below(canvas, top, colour, shade(colour, 0.8), slope_light(top, scene, 0.35))


def draw_water(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    h, w = canvas.height, canvas.width
    line = int(scene.horizon * h)
    if line >= h:
        return
    pixels = canvas.array()
    depth = h - line
    mirror = pixels[max(0, line - depth):line][::-1]  # what stands above the horizon, reflected
    if len(mirror) < depth:
        mirror = np.concatenate([mirror, np.repeat(mirror[-1:], depth - len(mirror), axis=0)])
    t = np.linspace(0, 1, depth, dtype=np.float32)[:, None, None]
    water = np.asarray(palette.water, np.float32)
    tone = water * (1 - t) + np.asarray(shade(palette.water, 0.55), np.float32) * t
    ripple = value_noise(rng, w, depth, 6, 2)[..., None] * 0.12 + 0.94
    pixels[line:] = (mirror * 0.5 + tone * 0.5) * ripple
    canvas.put(pixels)
    _waves(canvas, palette, scene, motif.params["waves"], rng)


def _waves(canvas: Canvas, palette: Palette, scene: Scene, count: int, rng) -> None:
    h, w, draw = canvas.height, canvas.width, canvas.draw
    line = scene.horizon * h
    light, dark = mix(palette.water, palette.glow, 0.6), shade(palette.water, 0.6)
    n = canvas.count(count)
    us = rng.random(n) ** 1.8  # perspective: waves crowd toward the horizon
    for u, x, k in zip(us, rng.random(n) * w, rng.random(n)):
        y = line + u * (h - line)
        length, width = canvas.s(0.01 + 0.06 * u), max(1, int(canvas.s(0.002 + 0.004 * u)))
        colour = (*light, 150) if k < 0.5 else (*dark, 120)
        draw.line((x - length, y, x + length, y), fill=colour, width=width)
    if scene.sun is not None and scene.sun[1] < scene.horizon + 0.02:
        _sun_path(canvas, palette, scene, rng)


def _sun_path(canvas: Canvas, palette: Palette, scene: Scene, rng) -> None:
    """The broken column of light a low sun or the moon lays on water."""
    h, draw = canvas.height, canvas.draw
    sx, _, r = scene.sun
    line = scene.horizon * h
    for u in np.linspace(0, 1, canvas.count(40)) ** 1.5:
        y = line + u * (h - line) + rng.uniform(-2, 2)
        half = canvas.s(r * (0.4 + u * 1.2)) * rng.uniform(0.3, 1.0)
        x = canvas.x(sx) + rng.normal(0, half * 0.3)
        draw.line((x - half, y, x + half, y), fill=(*palette.light, 170), width=max(1, int(canvas.s(0.004))))


def draw_flames(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    h, w = canvas.height, canvas.width
    reach = motif.params["height"] * h
    first = int(max(0, h - reach * 1.3))
    rows = np.arange(first, h, dtype=np.float32)[:, None]
    heat = (h - rows) / reach  # 0 at the bottom edge, 1 at the flames' usual reach
    tongues = value_noise(rng, w, h - first, 9, 3)  # 2-D noise breaks the front into tongues
    columns = 0.55 + 0.45 * np.sin(np.linspace(0, rng.uniform(14, 26), w) + value_noise(rng, w, 1, 6)[0] * 6)
    t = heat / (columns[None, :] * (0.55 + 0.9 * tongues))
    alpha = np.clip((1.0 - t) * 3.0, 0, 1)[..., None]
    core, mid_c, tip = np.asarray((255, 238, 160), np.float32), np.asarray((255, 140, 30), np.float32), np.asarray((200, 30, 10), np.float32)
    tt = np.clip(t, 0, 1)[..., None]
    fire = np.where(tt < 0.45, core + (mid_c - core) * (tt / 0.45), mid_c + (tip - mid_c) * ((tt - 0.45) / 0.55))
    pixels = canvas.array()
    band = pixels[first:]
    pixels[first:] = band + (fire - band) * alpha
    glow = blur(pixels, canvas.s(0.02))
    canvas.put(np.maximum(pixels, glow * 0.5 + pixels * 0.5))
