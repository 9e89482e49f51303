"""Remixing with the procedural generator: the source's own pixels, pulled toward a new prompt."""

import io

import numpy as np
import pytest
from PIL import Image

from generation import InvalidGenerationRequest
from generation_support import pixels, render, tone_correlation

SIZE = (128, 96)


@pytest.fixture(scope="module")
def source() -> bytes:
    return render("a city skyline at sunset by the ocean", style="impressionist", size=SIZE, seed=11)


@pytest.mark.parametrize("style", ["impressionist", "watercolor", "low-poly", "pixel-art"])
def test_remix_resembles_its_source_but_differs(source, style):
    remix = render("a snowy night", style=style, size=SIZE, seed=1, source_image=source)
    fresh = render("a snowy night", style=style, size=SIZE, seed=1)
    before, after = pixels(source), pixels(remix)
    assert tone_correlation(before, after) > 0.4
    assert tone_correlation(before, after) > tone_correlation(before, pixels(fresh)) + 0.2
    assert np.abs(before - after).mean() > 10


def test_remix_moves_colours_toward_the_new_prompt(source):
    red = pixels(render("everything red", style="low-poly", size=SIZE, source_image=source)).mean(axis=(0, 1))
    blue = pixels(render("everything blue", style="low-poly", size=SIZE, source_image=source)).mean(axis=(0, 1))
    assert red[0] - red[2] > blue[0] - blue[2] + 30


def test_remix_is_deterministic(source):
    assert render("a forest", source_image=source, seed=2) == render("a forest", source_image=source, seed=2)


def test_remix_accepts_other_shapes_and_formats():
    image = Image.linear_gradient("L").resize((300, 120)).convert("RGBA")
    out = io.BytesIO()
    image.save(out, "WEBP")
    assert pixels(render("ocean", size=(80, 80), source_image=out.getvalue())).shape == (80, 80, 3)


def test_undecodable_source_is_refused():
    with pytest.raises(InvalidGenerationRequest, match="source image"):
        render("ocean", source_image=b"not an image at all")
