"""Output rules: size caps, preview, blurhash, focal point, hash."""

import asyncio
import hashlib
import io
import math

import blurhash
import pytest
from PIL import Image

from storage.media import (
    InvalidFocus,
    compute_blurhash,
    parse_focus,
    process_image,
    sniff,
    validate_focus,
)


def size_of(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


@pytest.mark.parametrize(
    ("size", "expected"),
    [((6000, 300), (5000, 250)), ((200, 6000), (167, 5000)), ((5000, 10), (5000, 10))],
)
def test_original_capped_at_5000(size, expected):
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, "PNG", compress_level=1)
    result = process_image(out.getvalue())
    assert (result.width, result.height) == expected
    assert size_of(result.original_bytes) == expected


def test_preview_is_small_webp(make_image):
    result = process_image(make_image("PNG", (1200, 800)))
    assert result.preview_media_type == "image/webp"
    assert sniff(result.preview_bytes).name == "webp"
    assert (result.preview_width, result.preview_height) == (640, 427)
    assert size_of(result.preview_bytes) == (640, 427)


def test_preview_never_upscaled(make_image):
    result = process_image(make_image("JPEG", (100, 50)))
    assert (result.preview_width, result.preview_height) == (100, 50)


def test_photo_kept_as_jpeg(make_image):
    result = process_image(make_image("JPEG", (300, 200), quality=98))
    assert result.original_media_type == "image/jpeg"
    assert sniff(result.original_bytes).name == "jpeg"


def test_sha256_is_of_the_original_bytes(png_bytes):
    result = process_image(png_bytes)
    assert result.sha256 == hashlib.sha256(result.original_bytes).hexdigest()


@pytest.mark.parametrize("size", [(64, 48), (48, 64), (50, 50)])
def test_blurhash_shape(make_image, size):
    hash_ = process_image(make_image("PNG", size)).blurhash
    # 4x3 and 3x4 components: 1 + 1 + 4 + 2 * (12 - 1) = 28 characters.
    assert len(hash_) == 28
    assert blurhash.is_valid_blurhash(hash_)


def test_blurhash_deterministic_and_content_dependent(make_image, png_bytes):
    first = process_image(png_bytes).blurhash
    assert process_image(png_bytes).blurhash == first
    other = Image.open(io.BytesIO(png_bytes)).rotate(180)
    assert compute_blurhash(other) != first


def test_blurhash_of_transparent_image(make_image):
    assert len(process_image(make_image("PNG", (64, 48), "RGBA")).blurhash) == 28


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_blurhash_matches_public_encoder():
    image = Image.radial_gradient("L").convert("RGB").resize((32, 24))
    expected = blurhash.encode(image.copy(), 4, 3)
    assert compute_blurhash(image) == expected


def test_focus_default_and_given(png_bytes):
    assert process_image(png_bytes).focus == (0.0, 0.0)
    assert process_image(png_bytes, focus=(0.5, -1)).focus == (0.5, -1.0)


@pytest.mark.parametrize(
    "focus",
    [(1.5, 0), (0, -1.01), ("0.1", 0), (math.nan, 0), (True, 0), (0.1,), (0, 0, 0), "0,0"],
)
def test_bad_focus_refused_before_decoding(focus):
    with pytest.raises(InvalidFocus):
        process_image(b"not even an image", focus=focus)


def test_parse_focus():
    assert parse_focus("-0.5,0.25") == (-0.5, 0.25)
    assert parse_focus(None) == parse_focus("") == (0.0, 0.0)
    for text in ("1", "a,b", "2,0", "0,0,0", "nan,0"):
        with pytest.raises(InvalidFocus):
            parse_focus(text)
    assert validate_focus([0, 1]) == (0.0, 1.0)


async def test_runs_in_threads_with_identical_results(make_image):
    # How callers use it: CPU-bound work off the event loop, several at once.
    data = make_image("JPEG", (300, 200))
    results = await asyncio.gather(*(asyncio.to_thread(process_image, data) for _ in range(4)))
    assert len({(r.sha256, r.blurhash, r.preview_bytes) for r in results}) == 1
