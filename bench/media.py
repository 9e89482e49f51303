"""Media pipeline benchmark: milliseconds per image for each stage.

Two synthetic inputs: a 1024x1024 PNG that looks generated (smooth colour
fields and shapes, processed with provenance), and a 4000x3000 JPEG that
looks like a photo (fine noise over gradients, processed as an upload).
Prints the median of several runs; never asserts on timings.

    .venv/bin/python bench/media.py [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from storage.media import MediaStore, Provenance, compute_blurhash, decode_image, process_image
from storage.media.pipeline import (
    MAX_SIDE,
    encode_original,
    encode_preview,
    fit_within,
    make_preview,
)
from storage.media.xmp import build_xmp

PROVENANCE = Provenance(prompt="a mural of a lighthouse at dusk", generator="bench", seed=7)


def generated_png(size: int = 1024) -> bytes:
    """Smooth gradients and soft shapes, like a diffusion model's output."""
    base = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize((size, size)),
            Image.radial_gradient("L").resize((size, size)),
            Image.linear_gradient("L").rotate(90).resize((size, size)),
        ),
    )
    draw = ImageDraw.Draw(base)
    for i in range(12):
        x, y = (i * 173) % size, (i * 311) % size
        draw.ellipse((x, y, x + size // 4, y + size // 5), fill=(40 * i % 256, 90, 200))
    base = base.filter(ImageFilter.GaussianBlur(6))
    grain = Image.effect_noise((size, size), 12).convert("RGB")
    out = io.BytesIO()
    Image.blend(base, grain, 0.08).save(out, "PNG")
    return out.getvalue()


def photo_jpeg(width: int = 4000, height: int = 3000) -> bytes:
    """Gradients under sensor-like noise, saved the way a camera would."""
    base = Image.merge(
        "RGB",
        (
            Image.radial_gradient("L").resize((width, height)),
            Image.linear_gradient("L").resize((width, height)),
            Image.linear_gradient("L").rotate(90).resize((width, height)),
        ),
    )
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    out = io.BytesIO()
    Image.blend(base, noise, 0.25).save(out, "JPEG", quality=92)
    return out.getvalue()


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_one(label: str, data: bytes, provenance: Provenance | None, repeat: int) -> None:
    decoded = decode_image(data)
    image = fit_within(decoded.image, MAX_SIDE)
    lossless = decoded.has_alpha or decoded.kind.name in ("png", "gif")
    xmp = build_xmp(provenance) if provenance else None
    preview = make_preview(image)
    processed = process_image(data, provenance=provenance)
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**9))

        def store() -> None:
            # A fresh directory each time: storing into the same one is a no-op.
            MediaStore(Path(tmp) / str(next(counter))).save(processed)

        stages = {
            "decode": lambda: decode_image(data),
            "original": lambda: encode_original(image, lossless=lossless, xmp=xmp),
            "preview": lambda: encode_preview(make_preview(image), xmp=xmp),
            "blurhash": lambda: compute_blurhash(preview),
            "store": store,
            "total": lambda: process_image(data, provenance=provenance),
        }
        figures = {name: median_ms(fn, repeat) for name, fn in stages.items()}
    sizes = f"{len(data) // 1024} KiB in, {len(processed.original_bytes) // 1024} KiB"
    print(f"{label} ({sizes} {processed.original_media_type} out, "
          f"preview {len(processed.preview_bytes) // 1024} KiB)")
    for name, ms in figures.items():
        print(f"  {name:<9} {ms:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"median of {args.repeat} runs; 'total' is process_image() (no store)")
    bench_one("generated 1024x1024 PNG", generated_png(), PROVENANCE, args.repeat)
    bench_one("photo 4000x3000 JPEG", photo_jpeg(), None, args.repeat)


if __name__ == "__main__":
    main()
