"""The whole flow with the generators a community runs: a user generates an image and a remix
through the client API, the worker draws them with an AUTOMATIC1111 or ComfyUI server on
loopback (or a local diffusers model), and the provenance (generator, model, seed) is in the
file's XMP and in the Note's generation record."""

import contextlib
import io

import pytest
from PIL import Image

from node.workers import WORKERS
from storage.media import TRAINED_ALGORITHMIC_MEDIA, read_provenance
from tests.api.test_api_generations import download, signed_in
from tests.generation.a1111_server import Automatic1111Server
from tests.generation.comfyui_server import ComfyUIServer

PROMPT = "a fox in the snow"


@contextlib.asynccontextmanager
async def automatic1111(_tmp_path):
    async with Automatic1111Server() as server:
        yield {"generator": "automatic1111", "generator_url": server.base_url}, "sd_xl_turbo_1"


@contextlib.asynccontextmanager
async def comfyui(_tmp_path):
    async with ComfyUIServer() as server:
        yield {"generator": "comfyui", "generator_url": server.base_url}, "sd_xl_turbo_1.0_fp16.safetensors"


@contextlib.asynccontextmanager
async def diffusers(tmp_path):
    pytest.importorskip("diffusers", reason="the diffusion extra is not installed (make test installs it)")
    from tests.generation.tiny_diffusion import build_tiny_pipeline

    model_dir = build_tiny_pipeline(tmp_path)
    yield {"generator": "diffusers", "diffusion_model_dir": str(model_dir), "generator_steps": 2}, "tiny-sd-turbo"


BACKENDS = {"automatic1111": automatic1111, "comfyui": comfyui, "diffusers": diffusers}


@pytest.fixture(params=list(BACKENDS))
async def backend(request, tmp_path):
    async with BACKENDS[request.param](tmp_path) as configured:
        yield configured


async def _draw(node, call, **fields) -> dict:
    status, job, _ = await call.generate(**fields)
    assert status == 202, job
    assert await node.app[WORKERS].generation_round() >= 1
    done = await call.job(job["id"])
    assert done["state"] == "done", done
    return done


async def test_generate_and_remix_with_provenance(start_node, http, backend):
    settings, model = backend
    node = await start_node(run_workers=False, **settings)
    call, api = await signed_in(node, http)

    status, offered, _ = await call("GET", "/api/v1/generations/generator")
    assert status == 200 and offered["name"] == settings["generator"] and offered["remix"] is True
    assert offered["styles"][0]["rendering"] == "prompt" and "error" not in offered

    done = await _draw(node, call, prompt=PROMPT, size="64x64", seed="1234", style="ink")
    assert (done["generator"], done["model"], done["seed"]) == (settings["generator"], model, "1234")
    image = await download(http, done["media_attachment"]["url"])
    provenance = read_provenance(image)
    assert provenance.digital_source_type == TRAINED_ALGORITHMIC_MEDIA
    assert (provenance.generator, provenance.model, provenance.seed) == (settings["generator"], model, 1234)

    posted = await node.call(api.status_post, "a fox", media_ids=[done["media_attachment"]["id"]])
    async with http.get(posted["uri"], headers={"Accept": "application/activity+json"}) as response:
        note = await response.json(content_type=None)
    assert note["generation"]["generator"] == settings["generator"]
    assert (note["generation"]["model"], note["generation"]["seed"]) == (model, 1234)

    remix = await _draw(node, call, prompt="the fox at night", size="64x64", remix_of=posted["id"])
    assert remix["remix_of"] == posted["id"] and remix["generator"] == settings["generator"]
    assert remix["seed"] is not None  # chosen by us and recorded when the user gave none
    picture = Image.open(io.BytesIO(await download(http, remix["media_attachment"]["url"])))
    assert picture.size == (64, 64)


async def test_an_unreachable_server_keeps_the_job_for_later(start_node, http):
    node = await start_node(run_workers=False, generator="automatic1111", generator_url="http://127.0.0.1:9",
                            generator_retries=0)
    call, _api = await signed_in(node, http)
    status, job, _ = await call.generate(prompt=PROMPT, size="64x64")
    assert status == 202
    await node.app[WORKERS].generation_round()
    again = await call.job(job["id"])
    assert again["state"] == "queued" and again["media_attachment"] is None


async def test_a_misconfigured_generator_is_described_not_a_500(start_node, http):
    node = await start_node(run_workers=False, generator="comfyui")  # no MURALIST_GENERATOR_URL
    async with http.get(f"{node.base_url}/api/v1/generations/generator") as response:
        body = await response.json()
    assert response.status == 200 and body["name"] == "comfyui" and "MURALIST_GENERATOR_URL" in body["error"]
    async with http.get(f"{node.base_url}/api/v1/generations/styles") as response:
        styles = await response.json()
    assert styles[0]["generator"] == "comfyui" and styles[0]["rendering"] == "prompt"


async def test_queued_jobs_of_one_size_are_drawn_in_one_batch(start_node, http, tmp_path):
    pytest.importorskip("diffusers", reason="the diffusion extra is not installed (make test installs it)")
    from tests.generation.tiny_diffusion import build_tiny_pipeline

    node = await start_node(run_workers=False, generator="diffusers", generation_concurrency=1, diffusion_batch=3,
                            diffusion_model_dir=str(build_tiny_pipeline(tmp_path)), generator_steps=2)
    call, _api = await signed_in(node, http)
    jobs = [(await call.generate(prompt=f"a fox number {n}", size="64x64", seed=str(n)))[1] for n in range(3)]
    runner = node.app[WORKERS].generations
    await runner.start()  # what a worker does first: the pipeline loads, and a round claims a batch
    assert await node.app[WORKERS].generation_round() == 3
    assert runner._held.batches == [3]
    for job in jobs:
        done = await call.job(job["id"])
        assert done["state"] == "done" and done["seed"] == job["seed"], done
