"""generate_to_file: the function behind `muralist generate`."""

import pytest
from PIL import Image

from generation import InvalidGenerationRequest
from generation.cli import generate_to_file, suggested_extension
from tests.openai_server import DEFAULT_KEY


async def test_procedural_to_file(tmp_path):
    out = tmp_path / "lake.png"
    result = await generate_to_file("procedural", "a misty lake", "watercolor", "160x90", 42, out, {})
    assert result.seed == 42 and suggested_extension(result) == ".png"
    assert out.read_bytes() == result.image
    with Image.open(out) as image:
        assert image.size == (160, 90)
    assert [p.name for p in tmp_path.iterdir()] == ["lake.png"]  # no partial file left behind


async def test_remix_from_a_file(tmp_path):
    source = tmp_path / "source.png"
    await generate_to_file("procedural", "a forest", None, (96, 96), 1, source, None)
    out = tmp_path / "remix.png"
    await generate_to_file("procedural", "a snowy night", None, (96, 96), 1, out, None, source_path=source)
    assert out.read_bytes() != source.read_bytes()


async def test_openai_to_file(tmp_path, image_api):
    out = tmp_path / "cat.png"
    settings = {"api_key": DEFAULT_KEY, "base_url": image_api.base_url}
    result = await generate_to_file("openai", "a cat", None, (1024, 1024), None, out, settings)
    assert result.generator == "openai" and out.read_bytes() == result.image


async def test_bad_size_writes_nothing(tmp_path):
    out = tmp_path / "x.png"
    with pytest.raises(InvalidGenerationRequest):
        await generate_to_file("procedural", "a cat", None, "10x10", None, out, {})
    assert not out.exists()


def test_muralist_generate_writes_the_image(tmp_path, capsys, monkeypatch):
    from node.cli import main

    monkeypatch.delenv("MURALIST_GENERATOR", raising=False)
    out = tmp_path / "boat.png"
    assert main(["generate", "a paper boat", "--style", "ink", "--size", "128x96", "--seed", "5", "-o", str(out)]) == 0
    assert "seed 5" in capsys.readouterr().out
    with Image.open(out) as image:
        assert image.size == (128, 96)
    # Same prompt, style, size and seed: the same picture.
    again = tmp_path / "again.png"
    assert main(["generate", "a paper boat", "--style", "ink", "--size", "128x96", "--seed", "5", "-o", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.parametrize("extra, words", [
    (["--style", "nope"], "unknown style"),
    (["--size", "12"], "WIDTHxHEIGHT"),
])
def test_muralist_generate_errors_are_one_line(tmp_path, capsys, extra, words):
    from node.cli import main

    out = tmp_path / "x.png"
    assert main(["generate", "a paper boat", *extra, "-o", str(out)]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("muralist: error:") and words in error and "\n" not in error
    assert not out.exists()


@pytest.mark.parametrize("name, image_format, media_type", [
    ("out.png", "PNG", "image/png"),
    ("out.jpg", "JPEG", "image/jpeg"),
    ("out.JPEG", "JPEG", "image/jpeg"),
    ("out.webp", "WEBP", "image/webp"),
])
async def test_the_output_suffix_picks_the_format(tmp_path, name, image_format, media_type):
    out = tmp_path / name
    result = await generate_to_file("procedural", "a misty lake", None, "96x64", 3, out, {})
    assert result.media_type == media_type and out.read_bytes() == result.image
    with Image.open(out) as image:
        assert image.format == image_format and image.size == (96, 64)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_muralist_generate_says_the_format_it_wrote(tmp_path, capsys):
    from node.cli import main

    out = tmp_path / "boat.jpg"
    assert main(["generate", "a paper boat", "--size", "64x64", "--seed", "5", "-o", str(out)]) == 0
    assert f"wrote {out} (image/jpeg," in capsys.readouterr().out
    with Image.open(out) as image:
        assert image.format == "JPEG"


def _no_generator(monkeypatch):
    """Fail the test if a generator is even made: a bad output path is refused before any (paid) call."""
    import generation.cli

    def refuse(*_args, **_kwargs):
        raise AssertionError("a generator was made for an output that cannot be written")

    monkeypatch.setattr(generation.cli, "get_generator", refuse)


@pytest.mark.parametrize("name, words", [
    ("out.gif", "must end in .png, .jpg, .jpeg or .webp"),
    ("out", "must end in .png, .jpg, .jpeg or .webp"),
    ("missing/out.png", "the folder"),
    ("a-folder.png", "is a folder"),
])
def test_an_unusable_output_path_is_one_line_naming_it(tmp_path, capsys, monkeypatch, name, words):
    from node.cli import main

    (tmp_path / "a-folder.png").mkdir()
    _no_generator(monkeypatch)
    out = tmp_path / name
    assert main(["generate", "a paper boat", "-o", str(out)]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"muralist: error: cannot write {out}:") and words in error and "\n" not in error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder.png"]


def test_a_failed_write_names_the_given_path_and_leaves_no_partial_file(tmp_path, capsys, monkeypatch):
    import generation.cli
    from node.cli import main

    def no_rename(source, target):
        raise PermissionError(13, "Permission denied", str(source))

    monkeypatch.setattr(generation.cli.os, "replace", no_rename)
    out = tmp_path / "boat.png"
    assert main(["generate", "a paper boat", "--size", "64x64", "-o", str(out)]) == 1
    error = capsys.readouterr().err.strip()
    assert error == f"muralist: error: cannot write {out}: Permission denied"
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_remix_source_is_one_line_naming_it(tmp_path, capsys):
    from node.cli import main

    source = tmp_path / "nowhere.png"
    assert main(["generate", "a paper boat", "--remix", str(source), "-o", str(tmp_path / "out.png")]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("muralist: error:") and str(source) in error and "\n" not in error
    assert list(tmp_path.iterdir()) == []
