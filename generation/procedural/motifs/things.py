"""Motifs standing on the land: city skylines, trees and flowers."""

import numpy as np

from generation.procedural.canvas import Canvas, mix, shade, with_alpha
from generation.procedural.composition import Motif, Scene
from generation.procedural.palette import Palette


def draw_skyline(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    near = motif.params["depth"] == 1
    colour = shade(palette.mid if near else palette.far, 0.8 if near else 1.0)
    base = canvas.y(scene.horizon) + 1
    x = canvas.x(rng.uniform(-0.05, 0.0))
    lit = 0.55 if scene.time in ("night", "space", "sunset") else 0.12
    while x < canvas.width:
        width = canvas.s(rng.uniform(0.035, 0.08) * (1.2 if near else 0.8))
        height = canvas.y(rng.uniform(0.06, 0.2) * (1.6 if near else 1.0)) * (rng.random() ** 0.6)
        _building(canvas, palette, (x, base - height, x + width, base), colour, lit, rng)
        x += width * rng.uniform(0.85, 1.15)


def _building(canvas: Canvas, palette: Palette, box, colour, lit: float, rng) -> None:
    x0, y0, x1, y1 = box
    draw, width = canvas.draw, x1 - x0
    roof = rng.random()
    if roof < 0.2:  # a spire or mast
        draw.line(((x0 + x1) / 2, y0, (x0 + x1) / 2, y0 - width * 0.8), fill=colour, width=max(1, int(width * 0.06)))
    elif roof < 0.4:  # a stepped top
        draw.rectangle((x0 + width * 0.2, y0 - width * 0.35, x1 - width * 0.2, y0), fill=colour)
    draw.rectangle(box, fill=colour)
    cell = max(3.0, canvas.s(0.012))
    on = palette.accents[0] if lit > 0.3 else mix(colour, palette.sky_bottom, 0.5)
    for wy in np.arange(y0 + cell, y1 - cell, cell * 1.6):
        for wx in np.arange(x0 + cell * 0.6, x1 - cell, cell * 1.4):
            if rng.random() < lit:
                draw.rectangle((wx, wy, wx + cell * 0.7, wy + cell * 0.8), fill=with_alpha(on, rng.uniform(0.6, 1.0)))


def _ground_y(canvas: Canvas, top: np.ndarray, x: float) -> float:
    return float(np.interp(x / canvas.width * (len(top) - 1), np.arange(len(top)), top)) * canvas.height


def draw_trees(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    p = motif.params
    size = (0.045, 0.09, 0.2)[min(2, p["depth"])]
    colour = shade((palette.far, palette.mid, palette.near)[min(2, p["depth"])], 0.78)
    n = canvas.count(p["count"] * canvas.width / canvas.unit)
    for x in np.sort(rng.random(n)) * canvas.width:
        height = canvas.s(size * rng.uniform(0.7, 1.3))
        ground = _ground_y(canvas, p["top"], x) + height * 0.08
        tone = shade(colour, rng.uniform(0.8, 1.15))
        if p["conifer"]:
            _conifer(canvas, x, ground, height, tone)
        else:
            _round_tree(canvas, x, ground, height, tone, palette, rng)


def _conifer(canvas: Canvas, x: float, ground: float, height: float, colour) -> None:
    draw, half = canvas.draw, height * 0.22
    draw.rectangle((x - half * 0.12, ground - height * 0.15, x + half * 0.12, ground), fill=shade(colour, 0.6))
    for tier in range(3):  # three stacked triangles, each narrower and higher
        bottom = ground - height * (0.1 + 0.25 * tier)
        spread = half * (1.0 - 0.25 * tier)
        draw.polygon([(x - spread, bottom), (x + spread, bottom), (x, bottom - height * 0.5)], fill=colour)


def _round_tree(canvas: Canvas, x: float, ground: float, height: float, colour, palette: Palette, rng) -> None:
    draw = canvas.draw
    trunk = height * 0.05
    draw.rectangle((x - trunk, ground - height * 0.45, x + trunk, ground), fill=shade(mix(colour, (90, 60, 40), 0.5), 0.7))
    crown_y, r = ground - height * 0.62, height * 0.26
    for _ in range(5):
        dx, dy, rr = rng.normal(0, r * 0.35), rng.normal(0, r * 0.3), r * rng.uniform(0.55, 0.9)
        draw.ellipse((x + dx - rr, crown_y + dy - rr, x + dx + rr, crown_y + dy + rr), fill=colour)
    hr = r * 0.45  # a lit cap on the crown gives it volume
    draw.ellipse((x - hr - r * 0.2, crown_y - r * 0.55 - hr, x + hr - r * 0.2, crown_y - r * 0.55 + hr),
                 fill=with_alpha(mix(colour, palette.glow, 0.35), 0.7))


def draw_flowers(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    p = motif.params
    n = canvas.count(p["count"] * canvas.width / canvas.unit)
    start = p["from"]
    ys = np.sort(start + (1.02 - start) * rng.random(n) ** 0.8)  # far ones first, near ones drawn over
    stem = shade(palette.near, 0.8)
    for y_frac in ys:
        near = (y_frac - start) / (1.02 - start)
        x, y = canvas.x(rng.random()), canvas.y(y_frac)
        r = canvas.s(0.008 + 0.03 * near) * rng.uniform(0.7, 1.3)
        colour = palette.accents[int(rng.integers(len(palette.accents)))]
        canvas.draw.line((x, y, x + rng.normal(0, r * 0.3), y + r * 3), fill=stem, width=max(1, int(r * 0.22)))
        _blossom(canvas, x, y, r, colour, palette, rng)


def _blossom(canvas: Canvas, x: float, y: float, r: float, colour, palette: Palette, rng) -> None:
    draw = canvas.draw
    petals = int(rng.integers(5, 8))
    turn = rng.uniform(0, np.pi)
    for k in range(petals):
        a = turn + k * 2 * np.pi / petals
        px, py = x + np.cos(a) * r * 0.6, y + np.sin(a) * r * 0.6
        pr = r * 0.48
        draw.ellipse((px - pr, py - pr, px + pr, py + pr), fill=colour)
    cr = r * 0.3
    draw.ellipse((x - cr, y - cr, x + cr, y + cr), fill=mix((250, 200, 60), palette.ink, 0.2))
