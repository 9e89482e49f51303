"""The motif drawers, one per motif kind, behind one dispatch table.

Every drawer has the signature `draw(canvas, palette, scene, motif, rng)`.
"""

from generation.procedural.motifs.abstract import draw_rings, draw_shapes
from generation.procedural.motifs.land import draw_dune, draw_flames, draw_hill, draw_ridge, draw_water
from generation.procedural.motifs.sky import draw_clouds, draw_moon, draw_nebula, draw_planet, draw_sky, draw_stars, draw_sun
from generation.procedural.motifs.things import draw_flowers, draw_skyline, draw_trees
from generation.procedural.motifs.weather import draw_embers, draw_mist, draw_rain, draw_snowfall

DRAWERS = {
    "sky": draw_sky,
    "sun": draw_sun,
    "moon": draw_moon,
    "stars": draw_stars,
    "clouds": draw_clouds,
    "nebula": draw_nebula,
    "planet": draw_planet,
    "ridge": draw_ridge,
    "hill": draw_hill,
    "dune": draw_dune,
    "water": draw_water,
    "flames": draw_flames,
    "skyline": draw_skyline,
    "trees": draw_trees,
    "flowers": draw_flowers,
    "snowfall": draw_snowfall,
    "rain": draw_rain,
    "embers": draw_embers,
    "mist": draw_mist,
    "shapes": draw_shapes,
    "rings": draw_rings,
}


def draw_motifs(canvas, palette, scene, rng, overlay_only: bool = False) -> None:
    for motif in scene.motifs:
        if overlay_only and not motif.overlay:
            continue
        DRAWERS[motif.kind](canvas, palette, scene, motif, rng)
