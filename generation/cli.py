"""What `muralist generate` does once node/cli.py has parsed its arguments: check the output
path, generate, encode in the format the output's suffix names, and write the file whole."""

import asyncio
import contextlib
import io
import os
from dataclasses import replace
from pathlib import Path

from PIL import Image

from generation.base import GenerationRequest, GenerationResult, parse_size
from generation.errors import GenerationError, InvalidGenerationRequest
from generation.registry import get_generator

EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
# The suffix of `-o` picks the format, so that `x.jpg` holds JPEG bytes (viewers and upload
# forms trust the name); Pillow's format name and the media type for each.
OUTPUT_FORMATS = {".png": ("PNG", "image/png"), ".jpg": ("JPEG", "image/jpeg"),
                  ".jpeg": ("JPEG", "image/jpeg"), ".webp": ("WEBP", "image/webp")}


class OutputPathError(GenerationError):
    """The image cannot be written where asked: unknown suffix, missing folder, no permission."""


async def generate_to_file(generator_name: str, prompt: str, style: str | None, size: str | tuple[int, int],
                           seed: int | None, out_path: str | os.PathLike, settings: dict | None = None,
                           source_path: str | os.PathLike | None = None) -> GenerationResult:
    """Generate one image and write it to `out_path`; returns the result as written (seed, model,
    the media type of the file and its bytes).

    `size` is "WIDTHxHEIGHT" or a (width, height) pair; `settings` go to the generator
    (api_key, base_url, model, ... for openai); `source_path` makes it a remix of that file.
    The output path is checked before anything is generated (a paid backend is not called for
    an image that cannot be saved), and the file is written whole or not at all.
    Raises GenerationError and its kinds.
    """
    path = Path(out_path)
    pil_format, media_type = check_output_path(path)
    dimensions = parse_size(size) if isinstance(size, str) else tuple(size)
    source = _read_source(source_path) if source_path is not None else None
    request = GenerationRequest(prompt=prompt, style=style, size=dimensions, seed=seed, source_image=source)
    generator = get_generator(generator_name, **(settings or {}))
    try:
        result = await generator.generate(request)
    finally:
        await generator.aclose()
    if result.media_type != media_type:
        result = replace(result, image=await asyncio.to_thread(_encode, result.image, pil_format),
                         media_type=media_type)
    _write_atomically(path, result.image)
    return result


def suggested_extension(result: GenerationResult) -> str:
    return EXTENSIONS.get(result.media_type, ".bin")


def check_output_path(path: Path) -> tuple[str, str]:
    """(Pillow format, media type) for the path's suffix, or OutputPathError naming the path."""
    formats = OUTPUT_FORMATS.get(path.suffix.lower())
    if formats is None:
        raise OutputPathError(f"cannot write {path}: the name must end in .png, .jpg, .jpeg or .webp, "
                              f"which picks the image format")
    if path.is_dir():
        raise OutputPathError(f"cannot write {path}: it is a folder")
    folder = path.parent
    if not folder.is_dir():
        raise OutputPathError(f"cannot write {path}: the folder {folder} does not exist")
    return formats


def _read_source(source_path: str | os.PathLike) -> bytes:
    try:
        return Path(source_path).read_bytes()
    except OSError as exc:
        raise InvalidGenerationRequest(f"cannot read the image to remix, {source_path}: "
                                       f"{exc.strerror or exc}") from None


def _encode(image: bytes, pil_format: str) -> bytes:
    with Image.open(io.BytesIO(image)) as picture:
        picture.load()
        if pil_format == "JPEG" and picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")  # JPEG has no alpha channel
        out = io.BytesIO()
        options = {"quality": 92} if pil_format in ("JPEG", "WEBP") else {}
        picture.save(out, format=pil_format, **options)
    return out.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    # Write beside the target and rename, so an interrupted run leaves no half image; errors name
    # the path the user gave, never the temporary one.
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise OutputPathError(f"cannot write {path}: {exc.strerror or exc}") from None
