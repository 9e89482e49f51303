"""The `automatic1111` generator against an AUTOMATIC1111 web API on loopback."""

import base64
import io
import json

import pytest
from PIL import Image

from generation import BackendUnavailable, GenerationError, GenerationRequest, get_generator
from generation.remote import auth_header
from tests.generation.a1111_server import CHECKPOINTS, Automatic1111Server
from tests.generation.generation_support import pixels, render

SIZE = (64, 96)


@pytest.fixture
async def a1111():
    async with Automatic1111Server() as server:
        yield server


def generator(server, **settings):
    settings.setdefault("retry_delay", 0.01)
    return get_generator("automatic1111", base_url=server.base_url, **settings)


async def test_txt2img_sends_the_request_and_records_seed_and_model(a1111):
    gen = generator(a1111, steps=3, guidance=1.5, sampler="Euler")
    try:
        result = await gen.generate(GenerationRequest("a lighthouse at dusk", style="ink", size=SIZE, seed=42))
    finally:
        await gen.aclose()
    body = a1111.bodies[-1]
    assert a1111.calls[-1] == ("POST", "/sdapi/v1/txt2img")
    assert body["prompt"].startswith("a lighthouse at dusk, ink drawing")
    assert (body["width"], body["height"], body["seed"], body["steps"], body["cfg_scale"]) == (64, 96, 42, 3, 1.5)
    assert body["sampler_name"] == "Euler" and body["batch_size"] == 1 and "override_settings" not in body
    assert result.generator == "automatic1111" and result.seed == 42 and result.media_type == "image/png"
    assert result.model == CHECKPOINTS[0].split(".")[0]
    assert Image.open(io.BytesIO(result.image)).size == SIZE


async def test_same_seed_same_pixels_and_a_seed_is_recorded_without_one(a1111):
    gen = generator(a1111)
    try:
        first = await gen.generate(GenerationRequest("a fox in the snow", size=SIZE, seed=7))
        again = await gen.generate(GenerationRequest("a fox in the snow", size=SIZE, seed=7))
        unseeded = await gen.generate(GenerationRequest("a fox in the snow", size=SIZE))
    finally:
        await gen.aclose()
    assert first.image == again.image
    assert isinstance(unseeded.seed, int) and a1111.bodies[-1]["seed"] == unseeded.seed


async def test_img2img_sends_the_source_and_strength(a1111):
    source = render("a red barn", size=(80, 80))
    gen = generator(a1111, strength=0.3, model=CHECKPOINTS[1])
    try:
        result = await gen.generate(GenerationRequest("the same barn in winter", size=SIZE, seed=3,
                                                      source_image=source))
    finally:
        await gen.aclose()
    body = a1111.bodies[-1]
    assert a1111.calls[-1] == ("POST", "/sdapi/v1/img2img")
    assert body["denoising_strength"] == 0.3
    assert body["override_settings"] == {"sd_model_checkpoint": CHECKPOINTS[1]}
    init = Image.open(io.BytesIO(base64.b64decode(body["init_images"][0])))
    assert init.format == "PNG" and init.size == SIZE  # resized to the request's size
    assert result.model == CHECKPOINTS[1].split(".")[0]
    # A weak strength keeps the source visible: the answer is close to the resized source.
    resized = pixels(_png(Image.open(io.BytesIO(source)).convert("RGB").resize(SIZE)))
    assert abs(pixels(result.image) - resized).mean() < 60


async def test_basic_auth(a1111):
    a1111.auth_header = auth_header("muralist:secret")["Authorization"]
    gen = generator(a1111, auth="muralist:secret")
    wrong = generator(a1111, auth="muralist:nope")
    try:
        assert (await gen.generate(GenerationRequest("a cat", size=SIZE))).image
        with pytest.raises(GenerationError, match="refused our credentials"):
            await wrong.generate(GenerationRequest("a cat", size=SIZE))
    finally:
        await gen.aclose()
        await wrong.aclose()


async def test_retries_then_succeeds_and_gives_up_as_unavailable(a1111):
    a1111.respond_next(503, {"detail": "busy"}, times=2)
    gen = generator(a1111, retries=2)
    try:
        assert (await gen.generate(GenerationRequest("a cat", size=SIZE))).image
        assert len([c for c in a1111.calls if c[1] == "/sdapi/v1/txt2img"]) == 3
        a1111.respond_next(503, {"detail": "busy"}, times=3)
        with pytest.raises(BackendUnavailable, match="HTTP 503"):
            await gen.generate(GenerationRequest("a cat", size=SIZE))
    finally:
        await gen.aclose()


async def test_server_errors_become_typed_errors_with_the_servers_words(a1111):
    gen = generator(a1111, retries=0)
    odd = generator(a1111, sampler="Nope")
    try:
        with pytest.raises(GenerationError, match="Sampler not found: Nope") as caught:
            await odd.generate(GenerationRequest("a cat", size=SIZE))
        assert not isinstance(caught.value, BackendUnavailable)
        with pytest.raises(GenerationError, match="CUDA out of memory"):
            a1111.respond_next(500, {"error": "OutOfMemoryError", "detail": "", "body": "",
                                     "errors": "CUDA out of memory. Tried to allocate 2.00 GiB"})
            await gen.generate(GenerationRequest("a cat", size=SIZE))
        a1111.respond_next(422, {"detail": [{"loc": ["body", "steps"], "msg": "value is not a valid integer",
                                             "type": "type_error.integer"}]})
        with pytest.raises(GenerationError, match="body.steps: value is not a valid integer"):
            await gen.generate(GenerationRequest("a cat", size=SIZE))
        a1111.respond_next(200, {"images": ["not base64!"], "info": "{}"})
        with pytest.raises(GenerationError, match="not valid base64"):
            await gen.generate(GenerationRequest("a cat", size=SIZE))
    finally:
        await gen.aclose()
        await odd.aclose()


async def test_a_slow_server_times_out_as_unavailable(a1111):
    a1111.delay = 0.5
    gen = generator(a1111, timeout=0.1, retries=1)
    try:
        with pytest.raises(BackendUnavailable, match="no answer"):
            await gen.generate(GenerationRequest("a cat", size=SIZE))
    finally:
        await gen.aclose()


async def test_unreachable_server_and_bad_settings():
    gen = get_generator("automatic1111", base_url="http://127.0.0.1:9", retries=0)
    try:
        with pytest.raises(BackendUnavailable):
            await gen.generate(GenerationRequest("a cat", size=SIZE))
    finally:
        await gen.aclose()
    with pytest.raises(GenerationError, match="MURALIST_GENERATOR_URL"):
        get_generator("automatic1111")
    with pytest.raises(GenerationError, match="strength"):
        get_generator("automatic1111", base_url="http://127.0.0.1:9", strength=1.5)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_info_is_read_when_it_is_text():
    from generation.automatic1111 import _info
    assert _info(json.dumps({"seed": 5}))["seed"] == 5 and _info("not json") == {} and _info(None) == {}
