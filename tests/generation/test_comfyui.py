"""The `comfyui` generator against a ComfyUI server on loopback that validates the graph."""

import io
import json

import pytest
from PIL import Image

from generation import BackendUnavailable, GenerationError, GenerationRequest, get_generator
from generation.comfyui.workflow import LOAD_ID, default_workflow
from tests.generation.comfyui_server import ComfyUIServer
from tests.generation.generation_support import render

SIZE = (64, 96)


@pytest.fixture
async def comfy():
    async with ComfyUIServer() as server:
        yield server


def generator(server, **settings):
    settings.setdefault("retry_delay", 0.01)
    settings.setdefault("poll_interval", 0.01)
    return get_generator("comfyui", base_url=server.base_url, **settings)


async def _one(gen, request):
    try:
        return await gen.generate(request)
    finally:
        await gen.aclose()


async def test_default_workflow_queues_polls_and_views(comfy):
    comfy.run_seconds = 0.1  # the history is empty for a few polls first
    result = await _one(generator(comfy), GenerationRequest("a lighthouse at dusk", style="watercolor",
                                                            size=SIZE, seed=99))
    graph = comfy.prompts[-1]
    assert graph["6"]["inputs"]["text"].startswith("a lighthouse at dusk, soft watercolor")
    assert graph["3"]["inputs"]["seed"] == 99
    assert (graph["5"]["inputs"]["width"], graph["5"]["inputs"]["height"]) == SIZE
    methods = [call for call in comfy.calls if call[1].startswith("/history/")]
    assert len(methods) >= 2 and comfy.calls[-1] == ("GET", "/view")
    assert result.seed == 99 and result.generator == "comfyui"
    assert result.model == "sd_xl_turbo_1.0_fp16.safetensors"
    assert Image.open(io.BytesIO(result.image)).size == SIZE


async def test_same_seed_same_pixels_and_settings_reach_the_graph(comfy):
    gen = generator(comfy, model="v1-5-pruned-emaonly.safetensors", steps=2, guidance=3.5)
    try:
        first = await gen.generate(GenerationRequest("a fox", size=SIZE, seed=5))
        again = await gen.generate(GenerationRequest("a fox", size=SIZE, seed=5))
        other = await gen.generate(GenerationRequest("a fox", size=SIZE, seed=6))
    finally:
        await gen.aclose()
    assert first.image == again.image != other.image
    graph = comfy.prompts[-1]
    assert graph["4"]["inputs"]["ckpt_name"] == "v1-5-pruned-emaonly.safetensors"
    assert (graph["3"]["inputs"]["steps"], graph["3"]["inputs"]["cfg"]) == (2, 3.5)
    assert first.model == "v1-5-pruned-emaonly.safetensors"


async def test_remix_uploads_the_source_and_encodes_it(comfy):
    source = render("a red barn", size=(80, 80))
    result = await _one(generator(comfy, strength=0.4),
                        GenerationRequest("the barn in winter", size=SIZE, seed=1, source_image=source))
    graph = comfy.prompts[-1]
    assert ("POST", "/upload/image") in comfy.calls
    uploaded = graph[LOAD_ID]["inputs"]["image"]
    assert Image.open(io.BytesIO(comfy.uploads[uploaded])).size == SIZE
    assert graph["3"]["inputs"]["latent_image"][0] == "muralist_vae_encode"
    assert graph["3"]["inputs"]["denoise"] == 0.4
    assert graph["muralist_vae_encode"]["inputs"]["vae"] == ["4", 2]
    assert Image.open(io.BytesIO(result.image)).size == SIZE


async def test_a_users_workflow_file(comfy, tmp_path):
    workflow = default_workflow()
    # Other ids, a KSampler wired to renamed nodes: found through the graph, not by id.
    renamed = {str(int(node_id) + 100): node for node_id, node in workflow.items()}
    text = json.dumps(renamed)
    for old in workflow:
        text = text.replace(f'["{old}", ', f'["{int(old) + 100}", ')
    path = tmp_path / "mine.json"
    path.write_text(text)
    result = await _one(generator(comfy, workflow=str(path)), GenerationRequest("a cat", size=SIZE, seed=3))
    assert comfy.prompts[-1]["106"]["inputs"]["text"] == "a cat" and result.seed == 3


@pytest.mark.parametrize("content, problem", [
    ("not json", "is not JSON"),
    (json.dumps({"nodes": [], "links": []}), "Save \\(API\\)"),
    (json.dumps({"1": {"class_type": "SaveImage", "inputs": {}}}), "exactly one KSampler"),
])
def test_a_broken_workflow_is_refused_at_start(tmp_path, content, problem):
    path = tmp_path / "broken.json"
    path.write_text(content)
    with pytest.raises(GenerationError, match=problem):
        get_generator("comfyui", base_url="http://127.0.0.1:9", workflow=str(path))
    with pytest.raises(GenerationError, match="cannot read"):
        get_generator("comfyui", base_url="http://127.0.0.1:9", workflow=str(tmp_path / "missing.json"))


async def test_validation_errors_carry_the_node_errors(comfy):
    with pytest.raises(GenerationError, match="node 4 \\(CheckpointLoaderSimple\\): Value not in list") as caught:
        await _one(generator(comfy, model="nope.safetensors"), GenerationRequest("a cat", size=SIZE))
    assert not isinstance(caught.value, BackendUnavailable)


async def test_an_execution_error_fails_with_the_nodes_words(comfy):
    comfy.fail_execution("Allocation on device 0 would exceed allowed memory")
    with pytest.raises(GenerationError, match="node 3 \\(KSampler\\): Allocation on device 0"):
        await _one(generator(comfy), GenerationRequest("a cat", size=SIZE))


async def test_busy_server_is_retried_and_a_slow_run_times_out(comfy):
    comfy.respond_next(503, {"error": "busy"}, times=1)
    assert (await _one(generator(comfy), GenerationRequest("a cat", size=SIZE))).image
    comfy.run_seconds = 5
    with pytest.raises(BackendUnavailable, match="did not finish"):
        await _one(generator(comfy, timeout=0.3), GenerationRequest("a cat", size=SIZE))


async def test_bearer_auth(comfy):
    comfy.auth_header = "Bearer s3cret"
    assert (await _one(generator(comfy, auth="s3cret"), GenerationRequest("a cat", size=SIZE))).image
    with pytest.raises(GenerationError, match="credentials"):
        await _one(generator(comfy, auth="wrong"), GenerationRequest("a cat", size=SIZE))
