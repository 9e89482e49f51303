"""Abstract motifs: a composition of flat shapes, and grids of concentric rings."""

import numpy as np

from generation.procedural.canvas import Canvas, mix, shade, with_alpha
from generation.procedural.composition import Motif, Scene
from generation.procedural.palette import Palette


def draw_shapes(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    colours = list(palette.accents) + [palette.ink, palette.paper, palette.mid]
    cells = [(i, j) for i in range(3) for j in range(3)]
    rng.shuffle(cells)
    # One large form on a thirds point anchors the picture; the rest answer it.
    fx, fy = canvas.x(float(rng.choice([1 / 3, 2 / 3]))), canvas.y(float(rng.choice([1 / 3, 2 / 3])))
    focal = palette.accents[0]  # the colour of the thing the prompt named, if it named one
    SHAPES[int(rng.integers(3))](canvas, fx, fy, canvas.s(rng.uniform(0.22, 0.34)), focal, rng)
    # The others sit on a jittered 3x3 grid so they spread out instead of piling up.
    for k in range(motif.params["count"] - 1):
        i, j = cells[k % len(cells)]
        cx, cy = canvas.x((i + rng.uniform(0.2, 0.8)) / 3), canvas.y((j + rng.uniform(0.2, 0.8)) / 3)
        size = canvas.s(rng.uniform(0.05, 0.2))
        colour = colours[int(rng.integers(len(colours)))]
        SHAPES[int(rng.integers(len(SHAPES)))](canvas, cx, cy, size, colour, rng)


def _circle(canvas, cx, cy, size, colour, rng):
    canvas.draw.ellipse((cx - size, cy - size, cx + size, cy + size), fill=with_alpha(colour, rng.uniform(0.75, 1)))


def _half_circle(canvas, cx, cy, size, colour, rng):
    start = float(rng.choice([0, 90, 180, 270]))
    canvas.draw.pieslice((cx - size, cy - size, cx + size, cy + size), start, start + 180, fill=colour)


def _triangle(canvas, cx, cy, size, colour, rng):
    turn = rng.uniform(0, 2 * np.pi)
    points = [(cx + size * np.cos(turn + a), cy + size * np.sin(turn + a)) for a in (0, 2.094, 4.189)]
    canvas.draw.polygon(points, fill=with_alpha(colour, rng.uniform(0.8, 1)))


def _bar(canvas, cx, cy, size, colour, rng):
    long, thin = size * 1.6, size * rng.uniform(0.08, 0.25)
    box = (cx - long, cy - thin, cx + long, cy + thin) if rng.random() < 0.5 else (cx - thin, cy - long, cx + thin, cy + long)
    canvas.draw.rectangle(box, fill=colour)


def _ring(canvas, cx, cy, size, colour, rng):
    canvas.draw.ellipse((cx - size, cy - size, cx + size, cy + size), outline=colour, width=int(size * 0.18) + 1)


def _stripes(canvas, cx, cy, size, colour, rng):
    for k in range(5):
        y = cy - size + k * size * 0.45
        canvas.draw.line((cx - size, y, cx + size, y), fill=colour, width=max(1, int(size * 0.12)))


SHAPES = (_circle, _circle, _half_circle, _triangle, _bar, _ring, _stripes)


def draw_rings(canvas: Canvas, palette: Palette, scene: Scene, motif: Motif, rng) -> None:
    n = motif.params["grid"]
    cell_w, cell_h = canvas.width / n, canvas.height / n
    colours = list(palette.accents) + [palette.paper, palette.mid, palette.sky_top]
    for i in range(n):
        for j in range(n):
            x0, y0 = i * cell_w, j * cell_h
            back = mix(colours[int(rng.integers(len(colours)))], palette.ink, rng.uniform(0.0, 0.5))
            canvas.draw.rectangle((x0, y0, x0 + cell_w, y0 + cell_h), fill=with_alpha(back, 0.85))
            cx, cy = x0 + cell_w * rng.uniform(0.4, 0.6), y0 + cell_h * rng.uniform(0.4, 0.6)
            radius = min(cell_w, cell_h) * 0.45
            for k in range(int(rng.integers(3, 6))):  # Kandinsky's squares: rings inside rings
                r = radius * (1 - k * 0.2) * rng.uniform(0.9, 1.0)
                colour = shade(colours[int(rng.integers(len(colours)))], rng.uniform(0.85, 1.1))
                canvas.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
