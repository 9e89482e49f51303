"""Type detection: from magic numbers only, never from names or content types."""

import pytest
from PIL import Image, features

from storage.errors import MediaError
from storage.media import UnsupportedMediaType, process_image, sniff


@pytest.mark.parametrize(
    ("fmt", "name", "media_type"),
    [
        ("JPEG", "jpeg", "image/jpeg"),
        ("PNG", "png", "image/png"),
        ("GIF", "gif", "image/gif"),
        ("WEBP", "webp", "image/webp"),
    ],
)
def test_sniffs_each_format(make_image, fmt, name, media_type):
    kind = sniff(make_image(fmt))
    assert (kind.name, kind.media_type) == (name, media_type)


@pytest.mark.skipif(not features.check("avif"), reason="Pillow built without AVIF")
def test_sniffs_avif(make_image):
    assert sniff(make_image("AVIF")).media_type == "image/avif"


def test_avif_brand_wins_over_generic_heif_brand():
    ftyp = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf"
    if "AVIF" in Image.OPEN:
        assert sniff(ftyp + b"\x00" * 16).name == "avif"


def test_heic_refused_when_pillow_cannot_open_it():
    if "HEIF" in Image.OPEN:
        pytest.skip("a HEIF plugin is installed")
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32
    with pytest.raises(UnsupportedMediaType, match="HEIC"):
        sniff(heic)


def test_text_file_named_png_is_refused(tmp_path):
    path = tmp_path / "holiday.png"
    path.write_text("this is not an image, whatever the name says\n")
    with pytest.raises(UnsupportedMediaType, match="unsupported image type"):
        process_image(path.read_bytes())


@pytest.mark.parametrize(
    "data",
    [b"", b"\x89PN", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"BM" + b"\x00" * 60],
)
def test_other_bytes_are_refused(data):
    with pytest.raises(MediaError):
        sniff(data)
