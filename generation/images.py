"""Image bytes as the generators exchange them: recognising a format by its signature,
decoding a base64 answer, and turning a remix source into a bounded RGB picture or PNG.

A source image came from a user or a remote server, so it is decoded with a pixel limit
before any backend sees it.
"""

import base64
import binascii
import io
import secrets

from PIL import Image

from generation.errors import GenerationError, InvalidGenerationRequest

SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"RIFF", "image/webp"))
MAX_SOURCE_PIXELS = 40_000_000
# Seeds the Stable Diffusion servers and torch all take (ComfyUI and torch take 64 bits, AUTOMATIC1111
# draws its noise with 32-bit seeds): a seed we choose ourselves fits every one of them.
SEED_RANGE = 2**32


def media_type_of(image: bytes, who: str = "the image server") -> str:
    for signature, media_type in SIGNATURES:
        if image.startswith(signature):
            return media_type
    raise GenerationError(f"{who} sent something that is not a PNG, JPEG or WebP image")


def decode_base64_image(text, who: str = "the image server") -> bytes:
    if not isinstance(text, str) or not text:
        raise GenerationError(f"{who} answered without an image")
    # AUTOMATIC1111 extensions sometimes answer a data URL instead of bare base64.
    if text.startswith("data:"):
        text = text.partition(",")[2]
    try:
        image = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise GenerationError(f"{who} sent an image that is not valid base64") from None
    media_type_of(image, who)
    return image


def open_source(source: bytes) -> Image.Image:
    """The remix source decoded to RGB, or InvalidGenerationRequest saying why it cannot be."""
    try:
        with Image.open(io.BytesIO(source)) as image:
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise InvalidGenerationRequest("the source image has too many pixels")
            return image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidGenerationRequest(f"the source image could not be decoded: {exc}") from None


def source_as_png(source: bytes, size: tuple[int, int] | None = None) -> bytes:
    """The source re-encoded as PNG (what the servers' upload and init-image inputs read),
    resized to `size` when given."""
    picture = open_source(source)
    if size is not None and picture.size != tuple(size):
        picture = picture.resize(size, Image.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def choose_seed(seed: int | None) -> int:
    """The request's seed, or a fresh one that is then recorded with the image."""
    return seed if seed is not None else secrets.randbelow(SEED_RANGE)
