"""Choosing the colours of a picture from the words of its prompt.

Light (time of day) gives the sky, the land theme gives the ground, colour
words pull hues toward themselves, moods bend saturation and brightness, and
the seed nudges everything a little so seeds of one prompt stay siblings.
"""

import colorsys
from dataclasses import dataclass, fields, replace

import numpy as np

from generation.procedural.canvas import RGB, hsv_adjust, hue_colour, mix
from generation.procedural.words import Reading, time_of_day, word_hue


@dataclass(frozen=True)
class Palette:
    sky_top: RGB
    sky_bottom: RGB
    glow: RGB  # halo of the sun or moon, haze at the horizon
    light: RGB  # the sun or moon itself
    far: RGB  # the most distant land, hazy
    mid: RGB
    near: RGB  # the foreground
    water: RGB
    accents: tuple[RGB, ...]  # flowers, windows, shapes
    ink: RGB  # darkest tone: outlines and shadows
    paper: RGB  # lightest tone: highlights and paper

    def colours(self) -> list[RGB]:
        out = [getattr(self, f.name) for f in fields(self) if f.name != "accents"]
        return out + list(self.accents)


# (sky_top, sky_bottom, glow, light)
SKIES: dict[str, tuple[RGB, RGB, RGB, RGB]] = {
    "day": ((58, 118, 206), (176, 214, 242), (255, 250, 224), (255, 246, 204)),
    "sunset": ((58, 40, 112), (255, 146, 84), (255, 196, 120), (255, 226, 160)),
    "night": ((6, 10, 32), (36, 52, 104), (120, 142, 204), (242, 240, 220)),
    "space": ((4, 4, 16), (30, 14, 62), (150, 90, 220), (250, 240, 230)),
    "storm": ((56, 62, 78), (142, 146, 158), (200, 204, 214), (226, 228, 232)),
    "fire": ((40, 6, 12), (206, 64, 22), (255, 150, 48), (255, 222, 120)),
}

# (far, mid, near, water)
LANDS: dict[str, tuple[RGB, RGB, RGB, RGB]] = {
    "hills": ((128, 166, 146), (84, 146, 72), (46, 108, 48), (48, 110, 170)),
    "forest": ((92, 132, 112), (40, 100, 62), (20, 66, 38), (36, 90, 110)),
    "autumn": ((206, 128, 60), (176, 78, 32), (112, 46, 22), (60, 90, 120)),
    "mountain": ((150, 160, 192), (100, 106, 142), (58, 68, 90), (40, 90, 150)),
    "desert": ((232, 184, 124), (216, 150, 90), (186, 116, 66), (60, 150, 170)),
    "snow": ((206, 222, 240), (232, 238, 248), (250, 252, 255), (90, 140, 190)),
    "city": ((112, 118, 144), (70, 74, 100), (40, 42, 60), (40, 70, 120)),
    "fire": ((70, 22, 20), (44, 12, 12), (22, 6, 6), (80, 20, 10)),
    "ocean": ((96, 140, 170), (60, 120, 150), (200, 180, 140), (26, 96, 168)),
}

ACCENTS: dict[str, tuple[RGB, ...]] = {
    "flower": ((232, 56, 92), (250, 204, 52), (255, 250, 250), (170, 86, 204), (255, 140, 60)),
    "city": ((255, 212, 120), (255, 236, 180), (120, 200, 255)),
    "fire": ((255, 210, 70), (255, 128, 30), (230, 40, 20)),
    "snow": ((240, 248, 255), (160, 200, 240), (200, 60, 60)),
    "space": ((210, 120, 255), (80, 200, 255), (255, 130, 170)),
}

LAND_ORDER = ("fire", "snow", "desert", "mountain", "city", "forest", "ocean", "hills")


def land_theme(reading: Reading) -> str:
    if reading.has("forest") and any(w in reading.words for w in ("autumn", "fall")):
        return "autumn"
    return next((theme for theme in LAND_ORDER if reading.has(theme)), "hills")


def build_palette(reading: Reading, rng: np.random.Generator) -> Palette:
    time = time_of_day(reading)
    palette = _base_palette(reading, time)
    if not reading.colours and not _names_a_place(reading) and reading.unknown:
        palette = _word_palette(reading, time)
    palette = _apply_time(palette, time)
    palette = _apply_colours(palette, reading)
    for mood in reading.moods:
        palette = MOODS[mood](palette)
    return _jitter(palette, rng)


def _names_a_place(reading: Reading) -> bool:
    return any(theme not in ("abstract", "day") for theme in reading.themes)


def _base_palette(reading: Reading, time: str) -> Palette:
    sky_top, sky_bottom, glow, light = SKIES[time]
    land = land_theme(reading)
    far, mid, near, water = LANDS[land]
    if reading.has("ocean"):
        water = LANDS["ocean"][3]
    if land == "snow" and time == "day":
        sky_top, sky_bottom = (140, 184, 228), (228, 238, 250)
    if land == "desert" and time == "day":
        sky_bottom = (250, 222, 172)
    accents = next((ACCENTS[t] for t in reading.themes if t in ACCENTS), ())
    accents += tuple(hue_colour(word_hue(w), 0.7, 0.92) for w in reading.unknown[:3])
    accents = accents or ((230, 80, 80), (250, 200, 60), (80, 140, 230))
    return Palette(sky_top, sky_bottom, glow, light, far, mid, near, water, accents,
                   ink=(24, 22, 30), paper=(246, 240, 226))


def _word_palette(reading: Reading, time: str) -> Palette:
    """For prompts the tables do not know: a colour scheme grown from the words' own hues."""
    base = word_hue(reading.unknown[0])
    step = (1 / 12, 1 / 2, 1 / 3)[int(word_hue(" ".join(reading.unknown)) * 3)]  # analogous, complementary, triadic
    sky = _base_palette(reading, time)
    dark = time in ("night", "space", "fire")
    return replace(
        sky,
        sky_top=hue_colour(base, 0.55, 0.25 if dark else 0.55),
        sky_bottom=hue_colour(base + step / 3, 0.35, 0.5 if dark else 0.92),
        far=hue_colour(base + step, 0.3, 0.72), mid=hue_colour(base + step, 0.5, 0.55),
        near=hue_colour(base + step * 1.5, 0.6, 0.35),
        accents=tuple(hue_colour(base + i * step, 0.75, 0.95) for i in range(4)),
    )


def _apply_time(palette: Palette, time: str) -> Palette:
    # Land takes the light of the sky: silhouettes at sunset, blue darkness at night.
    if time in ("night", "space"):
        return _map_land(palette, lambda c: mix(c, (10, 16, 40), 0.7))
    if time in ("sunset", "fire"):
        return _map_land(palette, lambda c: mix(c, (70, 30, 60), 0.45))
    if time == "storm":
        return _map_land(palette, lambda c: hsv_adjust(c, sat=0.6, val=0.75))
    return palette


def _map_land(palette: Palette, change) -> Palette:
    return replace(palette, far=change(palette.far), mid=change(palette.mid), near=change(palette.near),
                   water=change(palette.water))


def _tint(colour: RGB, target: RGB, weight: float) -> RGB:
    """Pull `colour` toward the hue of `target` while keeping its own brightness."""
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in colour))
    th, ts, tv = colorsys.rgb_to_hsv(*(c / 255 for c in target))
    if ts < 0.15:  # black, white, grey: move brightness and drain colour instead of turning hue
        v, s = v + (tv - v) * weight * 0.6, s * (1 - weight * 0.7)
    elif weight >= 0.7:  # a strong pull takes the hue outright: part way from blue to red is purple
        h, s = th, s + (max(ts, 0.35) - s) * weight
    else:
        turn = ((th - h + 0.5) % 1.0) - 0.5  # shortest way round the colour wheel
        h, s = (h + turn * weight) % 1.0, s + (max(ts, 0.35) - s) * weight
    r, g, b = colorsys.hsv_to_rgb(h, min(1.0, s), min(1.0, v))
    return int(r * 255), int(g * 255), int(b * 255)


def _apply_colours(palette: Palette, reading: Reading) -> Palette:
    colours = reading.colours
    if not colours:
        return palette
    bound = reading.sky_colours + reading.land_colours + reading.thing_colours
    free = [c for c in colours if c not in bound]
    changes = {"accents": (tuple(dict.fromkeys(reading.thing_colours + colours)) + palette.accents)[:6]}
    if reading.sky_colours or free or reading.land_colours:
        sky_colour, sky_weight = _target(reading.sky_colours, free, reading.land_colours, 0)
        land_colour, land_weight = _target(reading.land_colours, free, reading.sky_colours, -1)
        changes.update({name: _tint(getattr(palette, name), sky_colour, sky_weight) for name in ("sky_top", "sky_bottom", "glow")})
        changes.update({name: _tint(getattr(palette, name), land_colour, land_weight) for name in ("far", "mid", "near", "water")})
    return replace(palette, **changes)


def _target(own: tuple[RGB, ...], free: list[RGB], other: tuple[RGB, ...], pick: int) -> tuple[RGB, float]:
    """The colour one part of the picture leans to, and how hard: said of it, said of nothing, said of the other part."""
    if own:
        return own[0], 0.8
    if free:
        return free[pick], 0.7
    return other[0], 0.25


def _recolour(palette: Palette, change) -> Palette:
    values = {f.name: change(getattr(palette, f.name)) for f in fields(palette) if f.name not in ("accents", "ink", "paper")}
    return replace(palette, **values, accents=tuple(change(c) for c in palette.accents))


MOODS = {
    "calm": lambda p: _recolour(p, lambda c: hsv_adjust(c, sat=0.72, val=1.04)),
    "happy": lambda p: _recolour(p, lambda c: hsv_adjust(c, sat=1.3, val=1.08)),
    "gloomy": lambda p: _recolour(p, lambda c: _tint(hsv_adjust(c, sat=0.55, val=0.72), (60, 80, 140), 0.2)),
    "dreamy": lambda p: _recolour(p, lambda c: mix(c, (232, 184, 236), 0.28)),
    "fierce": lambda p: _recolour(p, lambda c: _tint(hsv_adjust(c, sat=1.35), (220, 30, 20), 0.18)),
    "misty": lambda p: _recolour(p, lambda c: mix(hsv_adjust(c, sat=0.6), (204, 208, 214), 0.35)),
}


def _jitter(palette: Palette, rng: np.random.Generator) -> Palette:
    hue, val = rng.uniform(-0.025, 0.025), rng.uniform(0.94, 1.06)
    return _recolour(palette, lambda c: hsv_adjust(c, hue=hue, val=val))
