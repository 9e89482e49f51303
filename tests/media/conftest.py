"""Fixtures for the media tests: small synthetic images in every input format."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image


def encode(image: Image.Image, fmt: str, **save_kwargs) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **save_kwargs)
    return out.getvalue()


def pattern(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A gradient with structure, so encoders and blurhash have something to see."""
    width, height = size
    red = Image.linear_gradient("L").resize(size)
    green = Image.linear_gradient("L").rotate(90).resize(size)
    blue = Image.radial_gradient("L").resize(size)
    image = Image.merge("RGB", (red, green, blue))
    if mode == "RGBA":
        alpha = Image.new("L", size, 255)
        alpha.paste(0, (0, 0, width // 2, height // 2))
        image.putalpha(alpha)
    return image


def png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png_claiming(width: int, height: int) -> bytes:
    """A well-formed PNG header claiming any size, with a token of pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG whose SOF0 header is rewritten to claim another size."""
    data = bytearray(encode(Image.new("RGB", (16, 16), "gray"), "JPEG"))
    sof = data.index(b"\xff\xc0")
    # SOF0: marker, length (2), precision (1), height (2), width (2).
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.fixture
def make_image():
    """Factory: make_image("PNG", (w, h), mode="RGB", **save_kwargs) -> bytes."""

    def factory(fmt: str = "PNG", size=(64, 48), mode: str = "RGB", **save_kwargs) -> bytes:
        return encode(pattern(size, mode), fmt, **save_kwargs)

    return factory


@pytest.fixture
def craft():
    """The header-crafting helpers, for tests (conftest is not importable)."""

    class Craft:
        png_claiming = staticmethod(png_claiming)
        jpeg_claiming = staticmethod(jpeg_claiming)
        png_chunk = staticmethod(png_chunk)

    return Craft


@pytest.fixture
def jpeg_bytes(make_image) -> bytes:
    return make_image("JPEG", (64, 48), quality=90)


@pytest.fixture
def png_bytes(make_image) -> bytes:
    return make_image("PNG", (64, 48))
