"""Composition: which motifs a prompt gets, where they sit, in what order.

`build_scene` turns a reading of the prompt into a back-to-front list of
motifs with their positions decided up front (so every style draws the same
arrangement). It picks and places; motifs/ draws.
"""

from dataclasses import dataclass, field

import numpy as np

from generation.procedural.canvas import fractal_curve
from generation.procedural.words import Reading, time_of_day

LAND_THEMES = ("ocean", "forest", "city", "mountain", "hills", "flower", "desert", "snow", "fire")
CURVE_POINTS = 512  # land profiles are sampled here and stretched to the canvas width


@dataclass
class Motif:
    kind: str
    params: dict = field(default_factory=dict)
    overlay: bool = False  # also drawn on top of a remix source


@dataclass
class Scene:
    time: str
    horizon: float  # fraction of the height, from the top
    landscape: bool
    motifs: list[Motif]
    sun: tuple[float, float, float] | None = None  # x, y, radius as fractions, for glow and reflections

    def kinds(self) -> list[str]:
        return [m.kind for m in self.motifs]


def build_scene(reading: Reading, rng: np.random.Generator) -> Scene:
    time = time_of_day(reading)
    landscape = any(reading.has(t) for t in LAND_THEMES)
    if not landscape and not reading.has("abstract") and time != "space":
        # A named light ("a starry night") implies a place; unknown subjects get either.
        landscape = reading.has("night", "sunset", "day", "storm") or rng.random() < 0.5
    horizon = rng.uniform(0.56, 0.7) if landscape else rng.uniform(0.62, 0.82)
    scene = Scene(time=time, horizon=horizon, landscape=landscape, motifs=[Motif("sky")])
    if landscape or time in ("night", "space"):
        _add_sky(scene, reading, rng)
    if landscape:
        _add_land(scene, reading, rng)
    if reading.has("abstract") or not (landscape or time == "space"):
        _add_abstract(scene, reading, rng)
    _add_weather(scene, reading, rng)
    return scene


def _add_sky(scene: Scene, reading: Reading, rng: np.random.Generator) -> None:
    time, add = scene.time, scene.motifs.append
    if time in ("night", "space"):
        add(Motif("stars", {"count": 420 if time == "space" else 220}, overlay=True))
    if time == "space":
        add(Motif("nebula"))
        for _ in range(rng.integers(1, 3)):
            add(Motif("planet", {"x": rng.uniform(0.1, 0.9), "y": rng.uniform(0.1, 0.45),
                                 "r": rng.uniform(0.04, 0.13), "ringed": bool(rng.random() < 0.5)}, overlay=True))
    elif time == "night":
        x, y, r = rng.uniform(0.15, 0.85), rng.uniform(0.1, scene.horizon * 0.45), rng.uniform(0.045, 0.075)
        add(Motif("moon", {"x": x, "y": y, "r": r, "phase": rng.uniform(0.25, 1.0)}, overlay=True))
        scene.sun = (x, y, r)
    elif time in ("day", "sunset") and not (time == "day" and rng.random() < 0.25):
        low = time == "sunset"
        r = rng.uniform(0.09, 0.14) if low else rng.uniform(0.045, 0.07)
        y = scene.horizon - r * rng.uniform(0.1, 0.9) if low else rng.uniform(0.1, 0.3)
        x = rng.uniform(0.25, 0.75) if low else rng.uniform(0.12, 0.88)
        add(Motif("sun", {"x": x, "y": y, "r": r}, overlay=True))
        scene.sun = (x, y, r)
    elif time == "fire":
        scene.sun = (rng.uniform(0.3, 0.7), scene.horizon, 0.2)
    if time in ("day", "sunset", "storm") or reading.has("storm"):
        dark = time == "storm"
        add(Motif("clouds", {"count": int(rng.integers(7, 11)) if dark else int(rng.integers(2, 6)),
                             "dark": dark, "streaky": time == "sunset"}, overlay=True))


def _profile(rng, points: int, octaves: int, jagged: bool) -> np.ndarray:
    return fractal_curve(rng, CURVE_POINTS, points, octaves, jagged)


def _add_land(scene: Scene, reading: Reading, rng: np.random.Generator) -> None:
    add, horizon = scene.motifs.append, scene.horizon
    snowy = reading.has("snow")
    if reading.has("mountain") or (reading.has("snow", "forest") and rng.random() < 0.5):
        layers = 3 if reading.has("mountain") else 1
        for depth in range(layers):
            height = (0.42 - depth * 0.1) * rng.uniform(0.75, 1.1) * (1 if layers == 3 else 0.6)
            add(Motif("ridge", {"depth": depth, "layers": layers, "top": _ridge_top(rng, horizon, height),
                                "snowcap": snowy or (layers == 3 and depth == 0 and rng.random() < 0.6)}))
    if reading.has("desert"):
        for depth in range(3):
            top = horizon - 0.06 + depth * 0.1 + (_profile(rng, 3, 2, False) - 0.5) * 0.12
            add(Motif("dune", {"depth": depth, "top": top}))
    if reading.has("city"):
        for depth in range(2):
            add(Motif("skyline", {"depth": depth, "seed": int(rng.integers(2**31))}))
    if reading.has("ocean"):
        add(Motif("water", {"waves": int(rng.integers(260, 380))}))
        if reading.has("forest", "flower", "hills"):
            _add_ground(scene, reading, rng, start=0.82, layers=1)
    elif not reading.has("desert") or reading.has("forest", "flower", "hills", "snow"):
        _add_ground(scene, reading, rng, start=horizon, layers=3)
    if reading.has("fire"):
        add(Motif("flames", {"height": rng.uniform(0.35, 0.6)}, overlay=True))
        add(Motif("embers", {"count": 90}, overlay=True))


def _ridge_top(rng, horizon: float, height: float) -> np.ndarray:
    profile = _profile(rng, int(rng.integers(2, 6)), 4, True)
    profile = (profile - profile.min()) / max(1e-6, np.ptp(profile))
    return horizon - height * (0.2 + 0.8 * profile)


def _add_ground(scene: Scene, reading: Reading, rng, start: float, layers: int) -> None:
    add = scene.motifs.append
    trees = reading.has("forest") or (reading.has("snow", "mountain", "hills") and rng.random() < 0.4)
    pines = any(w in reading.words for w in ("pine", "pines", "spruce", "fir", "taiga", "conifer"))
    conifer = pines or reading.has("snow", "mountain") or (scene.time == "night" and rng.random() < 0.6)
    span = 1.0 - start
    for depth in range(layers):
        base = start + span * (depth / (layers + 0.5)) - 0.02
        top = base + (_profile(rng, int(rng.integers(2, 5)), 2, False) - 0.5) * (0.05 + 0.05 * depth)
        add(Motif("hill", {"depth": 3 - layers + depth, "top": top}))
        if trees and (depth < layers - 1 or layers == 1):
            count = (60, 22, 9)[min(depth + 3 - layers, 2)]
            add(Motif("trees", {"top": top, "depth": 3 - layers + depth, "count": count, "conifer": conifer}))
    if reading.has("flower"):
        add(Motif("flowers", {"count": 70, "from": max(start, 0.7)}, overlay=True))


def _add_abstract(scene: Scene, reading: Reading, rng: np.random.Generator) -> None:
    rings = any(w in reading.words for w in ("circle", "circles", "mandala", "kandinsky", "rings", "ring"))
    if rings or rng.random() < 0.3:
        scene.motifs.append(Motif("rings", {"grid": int(rng.integers(2, 5))}, overlay=True))
    else:
        scene.motifs.append(Motif("shapes", {"count": int(rng.integers(7, 13))}, overlay=True))


def _add_weather(scene: Scene, reading: Reading, rng: np.random.Generator) -> None:
    words = reading.words
    if reading.has("snow") and (scene.time != "day" or rng.random() < 0.6 or "snowing" in words):
        scene.motifs.append(Motif("snowfall", {"count": 300}, overlay=True))
    if any(w in words for w in ("rain", "rainy", "storm", "raining", "thunderstorm")):
        scene.motifs.append(Motif("rain", {"count": 350}, overlay=True))
    if "misty" in reading.moods:
        scene.motifs.append(Motif("mist", {}, overlay=True))
