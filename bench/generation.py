"""Benchmark: procedural images per second, per style, at 1024x1024 and 512x512.

Run: python bench/generation.py [--seconds 2] [--styles watercolor,ink]

Prints figures, asserts nothing. Each stage of turning a prompt into a stored
image has its own timing function; the media pipeline's stage (decode,
strip, resize, blurhash in storage/) is timed on a 1024x1024 generated image.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generation import GenerationRequest, list_styles  # noqa: E402
from generation.procedural import ProceduralGenerator  # noqa: E402
from storage.media import Provenance, process_image  # noqa: E402

SIZES = ((1024, 1024), (512, 512))
PROMPTS = (
    "sunset over the ocean with mountains",
    "a snowy forest at night under the stars",
    "neon city skyline in the rain",
    "a field of red flowers in spring",
)


def time_generator(style: str, size: tuple[int, int], seconds: float) -> list[float]:
    """Seconds per image for the generator stage alone (prompt to PNG bytes), cycling prompts and seeds."""
    generator = ProceduralGenerator(in_thread=False)
    generator.render(GenerationRequest(PROMPTS[0], style=style, size=size))  # warm caches and imports
    samples: list[float] = []
    deadline = time.perf_counter() + seconds
    seed = 0
    while time.perf_counter() < deadline or len(samples) < 3:
        request = GenerationRequest(PROMPTS[seed % len(PROMPTS)], style=style, size=size, seed=seed)
        start = time.perf_counter()
        generator.render(request)
        samples.append(time.perf_counter() - start)
        seed += 1
    return samples


def time_media_pipeline(image: bytes, repeat: int = 5) -> float:
    """Median seconds for the media pipeline (decode, strip metadata, re-encode with provenance XMP,
    preview, blurhash) on one generated image: what a generation job adds after the generator."""
    provenance = Provenance(prompt=PROMPTS[0], generator="procedural", model="procedural-1", seed=0)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        process_image(image, provenance=provenance)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def report(style: str, size: tuple[int, int], samples: list[float]) -> str:
    median = statistics.median(samples)
    return (f"{style:14s} {size[0]}x{size[1]:<5d} {1 / median:7.2f} images/s   median {median * 1000:6.1f} ms"
            f"   max {max(samples) * 1000:6.1f} ms   n={len(samples)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time spent on each style and size")
    parser.add_argument("--styles", default="", help="comma-separated subset of styles")
    args = parser.parse_args()
    styles = [s for s in args.styles.split(",") if s] or [style.name for style in list_styles()]
    print("procedural generator, one thread (prompt -> PNG bytes)")
    for size in SIZES:
        for style in styles:
            print(report(style, size, time_generator(style, size, args.seconds)), flush=True)
    sample = ProceduralGenerator(in_thread=False).render(GenerationRequest(PROMPTS[0], size=SIZES[0])).image
    pipeline = time_media_pipeline(sample)
    print(f"media pipeline (1024x1024 generated PNG, with provenance): {pipeline * 1000:.1f} ms per image")


if __name__ == "__main__":
    main()
