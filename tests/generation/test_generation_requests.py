"""Request checks, the style catalogue and the registry, shared by every backend."""

import pytest

from generation import (
    GenerationError, GenerationRequest, Generator, InvalidGenerationRequest, available_generators, get_generator,
    list_styles, parse_size, validate_request,
)
from generation.styles import canonical_style


@pytest.mark.parametrize("size", [(63, 512), (512, 2049), (0, 0), (-64, 64), (64.0, 64), (True, 64), (64,), "64x64"])
def test_sizes_out_of_range_are_refused(size):
    with pytest.raises(InvalidGenerationRequest, match="size"):
        validate_request(GenerationRequest("a tree", size=size))


def test_sizes_in_range_need_not_be_multiples_of_eight():
    assert validate_request(GenerationRequest("a tree", size=(65, 2047))).size == (65, 2047)


def test_parse_size():
    assert parse_size("1024x768") == (1024, 768)
    assert parse_size(" 64X64 ") == (64, 64)
    for text in ("1024", "axb", "10x10", "4096x4096", "1024x768x3"):
        with pytest.raises(InvalidGenerationRequest):
            parse_size(text)


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t"])
def test_empty_prompt_is_refused(prompt):
    with pytest.raises(InvalidGenerationRequest, match="empty"):
        validate_request(GenerationRequest(prompt))


def test_unknown_style_is_refused_with_the_choices():
    with pytest.raises(InvalidGenerationRequest, match="unknown style 'cubist-blender'.*watercolor"):
        validate_request(GenerationRequest("a tree", style="cubist-blender"))


def test_other_bad_fields_are_refused():
    for request in (GenerationRequest("a tree", seed=-1), GenerationRequest("a tree", seed=2**63),
                    GenerationRequest("a tree", quality="ultra"), GenerationRequest("a tree", source_image=b""),
                    GenerationRequest("x" * 4001)):
        with pytest.raises(InvalidGenerationRequest):
            validate_request(request)


def test_style_names_are_forgiving():
    assert canonical_style("Pixel Art") == "pixel-art"
    assert canonical_style("oil") == "impressionist"
    assert canonical_style("NEON") == "synthwave"
    assert validate_request(GenerationRequest(" a tree ", style="low_poly")).style == "low-poly"


def test_list_styles():
    styles = list_styles()
    assert len(styles) >= 6
    assert len({style.name for style in styles}) == len(styles)
    assert all(style.description for style in styles)


def test_registry():
    assert set(available_generators()) == {"procedural", "openai", "automatic1111", "comfyui", "diffusers"}
    with pytest.raises(GenerationError, match="unknown generator 'dalle'"):
        get_generator("dalle")
    with pytest.raises(GenerationError, match="no setting colour"):
        get_generator("procedural", colour="red")
    assert get_generator(" Procedural ").name == "procedural"
    assert isinstance(get_generator("procedural"), Generator)
    assert isinstance(get_generator("openai", api_key="k", base_url="http://127.0.0.1:9/v1"), Generator)
