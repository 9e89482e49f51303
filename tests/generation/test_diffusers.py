"""The `diffusers` generator with a tiny, randomly initialised Stable Diffusion pipeline that the
tests build and save to a folder (tests/generation/tiny_diffusion.py), on the CPU."""

import asyncio
import io

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("diffusers", reason="the diffusion extra is not installed (make test installs it)")

from generation import GenerationError, GenerationRequest, get_generator  # noqa: E402
from generation.diffusion.models import profile_for  # noqa: E402
from tests.generation.generation_support import pixels, render  # noqa: E402
from tests.generation.tiny_diffusion import build_tiny_pipeline  # noqa: E402

SIZE = (64, 80)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    return build_tiny_pipeline(tmp_path_factory.mktemp("diffusion"))


def generator(model_dir, **settings):
    settings.setdefault("steps", 2)
    return get_generator("diffusers", model_dir=str(model_dir), **settings)


async def test_txt2img_records_seed_model_and_size(tiny_model):
    gen = generator(tiny_model)
    try:
        result = await gen.generate(GenerationRequest("a lighthouse at dusk", size=SIZE, seed=11))
        unseeded = await gen.generate(GenerationRequest("a lighthouse at dusk", size=SIZE))
        described = gen.describe()
    finally:
        await gen.aclose()
    assert (result.generator, result.model, result.seed, result.media_type) == (
        "diffusers", "tiny-sd-turbo", 11, "image/png")
    assert Image.open(io.BytesIO(result.image)).size == SIZE
    assert isinstance(unseeded.seed, int) and unseeded.image != result.image
    assert described["profile"] == "SD-Turbo" and described["guidance"] == 0.0 and described["device"] == "cpu"


async def test_same_seed_same_pixels_whatever_the_batch(tiny_model):
    alone = generator(tiny_model)
    together = generator(tiny_model, batch_size=3)
    try:
        first = await alone.generate(GenerationRequest("a fox in the snow", size=SIZE, seed=5))
        requests = [GenerationRequest(prompt, size=SIZE, seed=seed)
                    for prompt, seed in (("a cat", 1), ("a fox in the snow", 5), ("a cat", 2))]
        batched = await asyncio.gather(*(together.generate(request) for request in requests))
    finally:
        await alone.aclose()
        await together.aclose()
    assert together.batches == [3]  # one pipeline call for the three
    assert np.array_equal(pixels(first.image), pixels(batched[1].image))
    assert batched[0].image != batched[2].image  # another seed, other pixels


async def test_batches_share_kind_and_size(tiny_model):
    gen = generator(tiny_model, batch_size=2)
    try:
        requests = [GenerationRequest("a cat", size=SIZE, seed=1), GenerationRequest("a cat", size=(72, 64), seed=1),
                    GenerationRequest("a dog", size=SIZE, seed=2), GenerationRequest("a cow", size=SIZE, seed=3)]
        results = await asyncio.gather(*(gen.generate(request) for request in requests))
    finally:
        await gen.aclose()
    assert sorted(gen.batches) == [1, 1, 2]  # 64x80 twice, then the third 64x80, and the 72x64 alone
    assert Image.open(io.BytesIO(results[1].image)).size == (72, 64)


async def test_img2img_starts_from_the_source(tiny_model):
    red, blue = render("a red barn", size=(80, 80)), render("a blue lake at night", size=(80, 80))
    gen = generator(tiny_model, strength=0.5)
    try:
        drawn = await gen.generate(GenerationRequest("in winter", size=SIZE, seed=3))
        from_red = await gen.generate(GenerationRequest("in winter", size=SIZE, seed=3, source_image=red))
        from_red_again = await gen.generate(GenerationRequest("in winter", size=SIZE, seed=3, source_image=red))
        from_blue = await gen.generate(GenerationRequest("in winter", size=SIZE, seed=3, source_image=blue))
    finally:
        await gen.aclose()
    assert Image.open(io.BytesIO(from_red.image)).size == SIZE
    assert from_red.image == from_red_again.image
    assert from_red.image != from_blue.image != drawn.image  # the source changes the picture


async def test_pipeline_is_kept_then_released_when_idle(tiny_model):
    gen = generator(tiny_model, idle_seconds=0.2)
    try:
        await gen.prepare()
        loaded = gen._loaded
        await gen.generate(GenerationRequest("a cat", size=SIZE, seed=1))
        assert gen._loaded is loaded  # kept between jobs
        await asyncio.sleep(0.5)
        assert not gen.loaded
        again = await gen.generate(GenerationRequest("a cat", size=SIZE, seed=1))  # loads again
        assert again.seed == 1 and gen.loaded
    finally:
        await gen.aclose()
    assert not gen.loaded


def test_missing_or_broken_folders_are_refused_at_start(tmp_path, tiny_model):
    with pytest.raises(GenerationError, match="MURALIST_DIFFUSION_MODEL_DIR"):
        get_generator("diffusers")
    with pytest.raises(GenerationError, match="is not a folder"):
        get_generator("diffusers", model_dir=str(tmp_path / "nowhere"))
    with pytest.raises(GenerationError, match="no model_index.json"):
        get_generator("diffusers", model_dir=str(tmp_path))
    broken = copy_model(tiny_model, tmp_path / "no-weights")
    for weights in (broken / "unet").glob("*.safetensors"):
        weights.unlink()
    with pytest.raises(GenerationError, match="unet folder .* has no weights"):
        get_generator("diffusers", model_dir=str(broken))


async def test_weights_the_library_cannot_load_fail_prepare(tmp_path, tiny_model):
    broken = corrupt_model(tiny_model, tmp_path / "corrupt")
    gen = get_generator("diffusers", model_dir=str(broken))
    with pytest.raises(GenerationError, match="could not be loaded"):
        await gen.prepare()
    await gen.aclose()


def test_profiles_for_the_few_step_models():
    assert profile_for("StableDiffusionPipeline", "stabilityai/sd-turbo").steps == 1
    assert profile_for("StableDiffusionXLPipeline", "sdxl-turbo").name == "SDXL-Turbo"
    schnell = profile_for("FluxPipeline", "black-forest-labs/FLUX.1-schnell")
    assert (schnell.steps, schnell.guidance, schnell.size, schnell.side_multiple) == (4, 0.0, (1024, 1024), 16)
    assert profile_for("StableDiffusionPipeline", "v1-5").guidance == 7.5


def copy_model(model, target):
    import shutil

    shutil.copytree(model, target)
    return target


def corrupt_model(model, target):
    copy_model(model, target)
    for weights in (target / "unet").glob("*.safetensors"):
        weights.write_bytes(b"this is not a safetensors file")
    return target


def test_building_the_generator_imports_no_torch(tiny_model):
    # The web processes build it only to describe it: torch is imported when the model loads.
    import subprocess
    import sys

    code = ("import sys; from generation import get_generator; "
            f"gen = get_generator('diffusers', model_dir={str(tiny_model)!r}); "
            "assert gen.describe()['model'] == 'tiny-sd-turbo'; "
            "assert 'torch' not in sys.modules and 'diffusers' not in sys.modules, 'imported'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
