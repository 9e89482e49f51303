"""What `muralist generate` does once node/cli.py has parsed its arguments."""

import os
from pathlib import Path

from generation.base import GenerationRequest, GenerationResult, parse_size
from generation.registry import get_generator

EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


async def generate_to_file(generator_name: str, prompt: str, style: str | None, size: str | tuple[int, int],
                           seed: int | None, out_path: str | os.PathLike, settings: dict | None = None,
                           source_path: str | os.PathLike | None = None) -> GenerationResult:
    """Generate one image and write it to `out_path`; returns the result (seed used, model, media type).

    `size` is "WIDTHxHEIGHT" or a (width, height) pair; `settings` go to the generator
    (api_key, base_url, model, ... for openai); `source_path` makes it a remix of that file.
    The file is written whole or not at all. Raises GenerationError and its kinds.
    """
    dimensions = parse_size(size) if isinstance(size, str) else tuple(size)
    source = Path(source_path).read_bytes() if source_path is not None else None
    request = GenerationRequest(prompt=prompt, style=style, size=dimensions, seed=seed, source_image=source)
    generator = get_generator(generator_name, **(settings or {}))
    try:
        result = await generator.generate(request)
    finally:
        await generator.aclose()
    _write_atomically(Path(out_path), result.image)
    return result


def suggested_extension(result: GenerationResult) -> str:
    return EXTENSIONS.get(result.media_type, ".bin")


def _write_atomically(path: Path, data: bytes) -> None:
    # Write beside the target and rename, so an interrupted run leaves no half image.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
