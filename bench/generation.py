"""Benchmark: images per second and seconds per image for every generator this machine can run.

Run: python bench/generation.py [--seconds 2] [--styles watercolor,ink] [--only procedural,diffusers]
                                [--diffusion-sizes 128,256] [--model-dir PATH] [--batch 4]

Prints figures, asserts nothing.
- procedural: per style, at 1024x1024 and 512x512, one thread (prompt to PNG bytes), and the
  media pipeline's stage (decode, strip, re-encode with provenance XMP, preview, blurhash).
- automatic1111, comfyui: the generator against the loopback test servers (tests/generation/),
  which answer at once: what the client side costs a job (HTTP, base64, PNG, polling).
- diffusers: a tiny randomly initialised pipeline (tests/generation/tiny_diffusion.py) on the GPU
  if there is one, else the CPU, one at a time and in batches; with --model-dir, a real model
  folder too (SD-Turbo, SDXL-Turbo, FLUX.1-schnell...). Needs the diffusion extra.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generation import GenerationRequest, get_generator, list_styles  # noqa: E402
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


def bench_procedural(args) -> None:
    styles = [s for s in args.styles.split(",") if s] or [style.name for style in list_styles()]
    print("procedural generator, one thread (prompt -> PNG bytes)")
    for size in SIZES:
        for style in styles:
            print(report(style, size, time_generator(style, size, args.seconds)), flush=True)
    sample = ProceduralGenerator(in_thread=False).render(GenerationRequest(PROMPTS[0], size=SIZES[0])).image
    pipeline = time_media_pipeline(sample)
    print(f"media pipeline (1024x1024 generated PNG, with provenance): {pipeline * 1000:.1f} ms per image")


async def timed(generator, size: tuple[int, int], seconds: float, batch: int = 1, remix: bytes | None = None) -> str:
    """Rounds of `batch` requests at once (as a worker's round sends them) until `seconds` pass."""
    for _ in range(2):  # warm up: torch's first calls at a new shape are several times slower
        await asyncio.gather(*(generator.generate(GenerationRequest(PROMPTS[0], size=size, seed=n, source_image=remix))
                               for n in range(batch)))
    images, rounds, seed = 0, [], 1
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(rounds) < 2:
        requests = [GenerationRequest(PROMPTS[(seed + n) % len(PROMPTS)], size=size, seed=seed + n, source_image=remix)
                    for n in range(batch)]
        start = time.perf_counter()
        await asyncio.gather(*(generator.generate(request) for request in requests))
        rounds.append(time.perf_counter() - start)
        images += batch
        seed += batch
    per_image = sum(rounds) / images
    kind = "img2img" if remix is not None else "txt2img"
    return (f"  {kind} {size[0]}x{size[1]:<5d} batch {batch:<2d} {1 / per_image:8.2f} images/s  "
            f"{per_image:8.3f} s/image   n={images}")


async def bench_remote(args) -> None:
    from tests.generation.a1111_server import Automatic1111Server
    from tests.generation.comfyui_server import ComfyUIServer

    source = ProceduralGenerator(in_thread=False).render(GenerationRequest(PROMPTS[1], size=(512, 512))).image
    for name, server_class, options in (("automatic1111", Automatic1111Server, {}),
                                        ("comfyui", ComfyUIServer, {"poll_interval": 0.01})):
        if name not in args.only:
            continue
        async with server_class() as server:
            if hasattr(server, "run_seconds"):
                server.run_seconds = 0.0
            generator = get_generator(name, base_url=server.base_url, **options)
            print(f"{name} generator against its loopback test server (client side only)")
            try:
                for size in ((512, 512), (1024, 1024)):
                    print(await timed(generator, size, args.seconds), flush=True)
                print(await timed(generator, (512, 512), args.seconds, remix=source), flush=True)
            finally:
                await generator.aclose()


async def bench_diffusers(args) -> None:
    try:
        import torch
        from tests.generation.tiny_diffusion import build_tiny_pipeline
    except ImportError:
        print("diffusers: skipped (pip install 'muralist[diffusion]')")
        return
    device = "cuda" if torch.cuda.is_available() else "cpu"
    folders = []
    with tempfile.TemporaryDirectory() as scratch:
        folders.append(("tiny pipeline", build_tiny_pipeline(Path(scratch))))
        if args.model_dir:
            folders.append(("model folder", Path(args.model_dir)))
        for label, folder in folders:
            sizes = [(side, side) for side in map(int, args.diffusion_sizes.split(","))]
            generator = get_generator("diffusers", model_dir=str(folder), batch_size=args.batch,
                                      **({"steps": 2} if label == "tiny pipeline" else {}))
            start = time.perf_counter()
            await generator.prepare()
            described = generator.describe()
            print(f"diffusers, {label} {generator.folder.model_name} ({described['profile']}, {described['steps']} steps) "
                  f"on {device}, torch {torch.__version__}, {torch.get_num_threads()} threads; "
                  f"loaded in {time.perf_counter() - start:.2f} s")
            source = ProceduralGenerator(in_thread=False).render(GenerationRequest(PROMPTS[1], size=sizes[0])).image
            try:
                for size in sizes:
                    for batch in sorted({1, args.batch}):
                        print(await timed(generator, size, args.seconds, batch), flush=True)
                print(await timed(generator, sizes[0], args.seconds, remix=source), flush=True)
            finally:
                await generator.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time spent on each figure")
    parser.add_argument("--styles", default="", help="comma-separated subset of the procedural styles")
    parser.add_argument("--only", default="procedural,automatic1111,comfyui,diffusers",
                        help="comma-separated generators to measure")
    parser.add_argument("--diffusion-sizes", default="128,256",
                        help="square sides for the diffusers figures (512,1024 on a GPU)")
    parser.add_argument("--model-dir", default=None, help="a real diffusers model folder to measure as well")
    parser.add_argument("--batch", type=int, default=4, help="the diffusers batch size measured beside 1")
    args = parser.parse_args()
    args.only = set(args.only.split(","))
    if "procedural" in args.only:
        bench_procedural(args)
    if args.only & {"automatic1111", "comfyui"}:
        asyncio.run(bench_remote(args))
    if "diffusers" in args.only:
        asyncio.run(bench_diffusers(args))


if __name__ == "__main__":
    main()
