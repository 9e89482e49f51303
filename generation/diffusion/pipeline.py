"""The torch side of the diffusers generator: choosing the device, loading the pipeline from
the folder (local files only), and drawing one batch. Everything here blocks; the generator
calls it in a thread.

Image-to-image shares the loaded components (`AutoPipelineForImage2Image.from_pipe`), so a
remix costs no second copy of the model in memory.
"""

import gc
import importlib.util
import io
import logging
import math
import os
from dataclasses import dataclass

from PIL import Image

from generation.diffusion.models import ModelFolder
from generation.errors import BackendUnavailable, GenerationError


def require_library() -> None:
    """GenerationError when the `diffusion` extra is missing, said so that it can be fixed.
    Looked up without importing: torch takes seconds and hundreds of MB to import, and the
    web processes that only describe the generator never need it."""
    missing = [name for name in ("torch", "transformers", "diffusers") if importlib.util.find_spec(name) is None]
    if missing:
        raise GenerationError(f"the diffusers generator needs the diffusion extra (pip install "
                              f"'muralist[diffusion]'): {', '.join(missing)} not installed")


def _quiet_imports() -> None:
    import transformers

    # Before diffusers is imported: its pipelines import image processors whose notes about an
    # absent torchvision would otherwise reach the node's log on every start.
    transformers.logging.set_verbosity_error()


def pick_device(wanted: str) -> str:
    import torch

    if wanted != "auto":
        if wanted.startswith("cuda") and not torch.cuda.is_available():
            raise GenerationError(f"MURALIST_DIFFUSION_DEVICE is {wanted}, but torch sees no CUDA GPU")
        return wanted
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


@dataclass
class Loaded:
    text2image: object
    image2image: object
    device: str


def load(folder: ModelFolder, device: str) -> Loaded:
    """The pipelines on `device`; GenerationError naming the folder when diffusers cannot load it."""
    _quiet_imports()
    import torch
    from diffusers import AutoPipelineForImage2Image, AutoPipelineForText2Image
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    # Never reach for the hub: the folder is all there is (a missing file is an error, not a download).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    diffusers_logging.set_verbosity_error()
    diffusers_logging.disable_progress_bar()  # loading bars belong on a terminal, not in a node's log
    transformers_logging.disable_progress_bar()
    logging.getLogger("transformers").setLevel(logging.ERROR)
    # Half precision on a GPU (bfloat16 for FLUX, which overflows in float16); the CPU wants float32.
    options = {}
    if device.startswith("cuda"):
        options["torch_dtype"] = torch.bfloat16 if folder.pipeline_class.startswith("Flux") else torch.float16
    try:
        text2image = AutoPipelineForText2Image.from_pretrained(folder.path, local_files_only=True, **options)
        text2image = text2image.to(device)
        image2image = AutoPipelineForImage2Image.from_pipe(text2image)
    except Exception as exc:  # noqa: BLE001 - diffusers raises many kinds (OSError, ValueError, KeyError...)
        reason = " ".join(str(exc).split())[:400] or type(exc).__name__
        raise GenerationError(f"the model in {folder.path} could not be loaded: {reason}") from None
    for pipeline in (text2image, image2image):
        pipeline.set_progress_bar_config(disable=True)
    return Loaded(text2image, image2image, device)


def release(loaded: Loaded | None) -> None:
    if loaded is None:
        return
    device = loaded.device
    del loaded
    gc.collect()
    if device.startswith("cuda"):
        import torch

        torch.cuda.empty_cache()


@dataclass(frozen=True)
class Job:
    prompt: str
    seed: int
    source: Image.Image | None


def draw(loaded: Loaded, jobs: list[Job], size: tuple[int, int], *, steps: int, guidance: float,
         strength: float) -> list[Image.Image]:
    """One pipeline call for jobs of one size and kind; each job's seed has its own torch
    generator, so a job's pixels do not depend on what it was batched with."""
    import torch

    generator_device = "cpu" if loaded.device == "mps" else loaded.device
    generators = [torch.Generator(generator_device).manual_seed(job.seed) for job in jobs]
    common = {"prompt": [job.prompt for job in jobs], "guidance_scale": guidance, "generator": generators,
              "output_type": "pil"}
    try:
        with torch.inference_mode():
            if jobs[0].source is not None:
                # img2img runs int(steps * strength) steps: at least one, however few the model needs.
                steps = max(steps, math.ceil(1 / strength))
                output = loaded.image2image(image=[job.source for job in jobs], strength=strength,
                                            num_inference_steps=steps, **common)
            else:
                output = loaded.text2image(width=size[0], height=size[1], num_inference_steps=steps, **common)
    except torch.OutOfMemoryError:
        raise BackendUnavailable(f"the GPU ran out of memory drawing {len(jobs)} images of {size[0]}x{size[1]}") from None
    except (RuntimeError, ValueError) as exc:
        raise GenerationError(f"the diffusion model failed: {' '.join(str(exc).split())[:400]}") from None
    return list(output.images)


def to_png(image: Image.Image, size: tuple[int, int]) -> bytes:
    """PNG bytes at the requested size (the model drew it rounded to its latent grid)."""
    if image.size != tuple(size):
        image = image.resize(size, Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
