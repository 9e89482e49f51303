"""The procedural generator: deterministic, prompt-driven, every style, real PNGs."""

import io
import itertools

import numpy as np
import pytest
from PIL import Image

from generation import GenerationRequest, get_generator, list_styles
from generation.procedural import MODEL, ProceduralGenerator, derive_seed
from generation_support import mean_difference, pixels, render

STYLES = [style.name for style in list_styles()]


def test_same_request_gives_the_same_bytes():
    assert render("a lighthouse on a cliff at dusk", seed=7) == render("a lighthouse on a cliff at dusk", seed=7)


def test_without_a_seed_the_seed_comes_from_the_prompt():
    result = ProceduralGenerator().render(GenerationRequest("a quiet harbour", size=(64, 64)))
    assert result.seed == derive_seed("a quiet harbour")
    assert render("a quiet harbour") == render("a quiet harbour", seed=result.seed)
    assert render("A  quiet HARBOUR") == render("a quiet harbour")  # case and spacing do not matter


def test_different_seeds_and_prompts_give_different_pictures():
    base = render("mountains over a lake", seed=1)
    assert mean_difference(base, render("mountains over a lake", seed=2)) > 3
    assert mean_difference(base, render("a city street at night", seed=1)) > 15
    # Words the tables do not know still change the picture.
    assert mean_difference(render("a cat", seed=1), render("a dog", seed=1)) > 5


def _mean_colour(prompt: str) -> np.ndarray:
    shots = [pixels(render(prompt, seed=seed, style="low-poly")) for seed in range(3)]
    return np.mean([shot.reshape(-1, 3).mean(axis=0) for shot in shots], axis=0)


def test_words_drive_the_palette():
    ocean, desert = _mean_colour("the ocean"), _mean_colour("the desert")
    assert ocean[2] - ocean[0] > desert[2] - desert[0] + 30  # bluer
    forest, fire = _mean_colour("a forest"), _mean_colour("fire")
    assert forest[1] - forest[0] > fire[1] - fire[0] + 30  # greener
    assert _mean_colour("night").mean() < _mean_colour("a sunny day").mean() - 40  # darker


def test_colour_words_tint_the_picture():
    red, blue = _mean_colour("a red landscape"), _mean_colour("a blue landscape")
    assert red[0] - red[2] > blue[0] - blue[2] + 40


def test_motifs_follow_the_prompt():
    from generation.procedural.composition import build_scene
    from generation.procedural.words import read_prompt

    def kinds(prompt):
        return build_scene(read_prompt(prompt), np.random.default_rng(0)).kinds()

    assert {"moon", "stars"} <= set(kinds("a forest at night"))
    assert "trees" in kinds("a forest at night")
    assert "water" in kinds("sunset over the ocean") and "sun" in kinds("sunset over the ocean")
    assert "skyline" in kinds("city skyline")
    assert "ridge" in kinds("snowy mountains") and "snowfall" in kinds("snowy mountains at night")
    assert "flowers" in kinds("a garden of roses")
    assert "dune" in kinds("desert dunes")
    assert "flames" in kinds("a fire")
    assert {"shapes", "rings"} & set(kinds("abstract circles"))


@pytest.mark.parametrize("style", STYLES)
def test_each_style_renders_a_png_of_the_asked_size(style):
    png = render("sunset over mountains and a lake", style=style, size=(120, 80))
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (120, 80) and image.mode == "RGB"
    assert pixels(png).std() > 10  # a picture, not a flat colour


def test_styles_differ_from_each_other():
    shots = {style: render("a forest by the sea at sunset", style=style, seed=3) for style in STYLES}
    for a, b in itertools.combinations(STYLES, 2):
        assert mean_difference(shots[a], shots[b]) > 4, (a, b)


def test_style_named_in_the_prompt_is_used():
    assert render("a pixel art castle", seed=1) == render("a pixel art castle", style="pixel-art", seed=1)


def test_extreme_shapes_render():
    for size in ((64, 2048), (2048, 64), (64, 64)):
        assert pixels(render("a tall tower in the city at night", size=size)).shape[:2] == (size[1], size[0])


def test_a_full_size_image():
    result = ProceduralGenerator().render(GenerationRequest("a snowy forest under the stars", size=(1024, 1024)))
    assert result.media_type == "image/png" and result.model == MODEL and result.generator == "procedural"
    assert pixels(result.image).shape == (1024, 1024, 3)


async def test_generate_through_the_registry():
    generator = get_generator("procedural")
    result = await generator.generate(GenerationRequest("a red balloon", size=(64, 64), seed=5))
    assert result.seed == 5 and result.image.startswith(b"\x89PNG")
    await generator.aclose()
