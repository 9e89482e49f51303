"""The `openai` backend through the real openai package, against a loopback image API."""

import io
import socket

import pytest
from PIL import Image

from generation import (
    BackendUnavailable, GenerationError, GenerationRequest, InvalidGenerationRequest, PromptRefused, get_generator,
)
from tests.openai_server import DEFAULT_KEY, DEFAULT_MODEL, png_bytes


def make(api, **settings):
    settings.setdefault("api_key", DEFAULT_KEY)
    settings.setdefault("base_url", api.base_url)
    settings.setdefault("timeout", 10)
    return get_generator("openai", **settings)


def decode(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


async def test_generate_sends_model_prompt_and_size(image_api):
    generator = make(image_api, quality="medium")
    result = await generator.generate(GenerationRequest("a lighthouse at dusk", size=(1536, 1024)))
    await generator.aclose()
    body = image_api.calls[-1]["body"]
    assert body["model"] == DEFAULT_MODEL and body["prompt"] == "a lighthouse at dusk"
    assert body["size"] == "1536x1024" and body["quality"] == "medium" and body["output_format"] == "png"
    assert "response_format" not in body  # GPT image models refuse it
    assert result.image == png_bytes((1536, 1024), body["prompt"])
    assert (result.media_type, result.model, result.seed, result.generator) == ("image/png", DEFAULT_MODEL, None, "openai")


async def test_style_and_request_quality_reach_the_server(image_api):
    generator = make(image_api, size="request")
    await generator.generate(GenerationRequest("a harbour", style="ink", size=(640, 480), quality="high"))
    await generator.aclose()
    body = image_api.calls[-1]["body"]
    assert body["prompt"].startswith("a harbour") and "ink drawing" in body["prompt"]
    assert body["size"] == "640x480" and body["quality"] == "high"


async def test_remix_uploads_the_source_as_a_multipart_file(image_api):
    source = Image.new("RGB", (64, 48), (10, 200, 30))
    out = io.BytesIO()
    source.save(out, "PNG")
    generator = make(image_api)
    result = await generator.generate(GenerationRequest("make it winter", size=(64, 64), source_image=out.getvalue()))
    await generator.aclose()
    call = image_api.calls[-1]
    assert call["endpoint"] == "edits" and call["form"]["prompt"] == "make it winter"
    assert call["form"]["model"] == DEFAULT_MODEL and call["image_type"] == "image/png"
    assert call["image_size"] == (64, 48)
    assert decode(result.image).getpixel((5, 5)) == (245, 55, 225)  # the server inverts what it got


async def test_remix_converts_sources_the_api_does_not_take(image_api):
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(out, "GIF")
    generator = make(image_api)
    await generator.generate(GenerationRequest("blue", size=(64, 64), source_image=out.getvalue()))
    await generator.aclose()
    assert image_api.calls[-1]["image_type"] == "image/png"


async def test_url_answers_are_downloaded(image_api):
    image_api.mode = "url"
    generator = make(image_api, response_format="url")
    result = await generator.generate(GenerationRequest("a red barn", size=(1024, 1024)))
    await generator.aclose()
    assert image_api.calls[-1]["body"]["response_format"] == "url"
    assert image_api.downloads == 1 and decode(result.image).size == (1024, 1024)


async def test_url_downloads_are_size_limited(image_api):
    image_api.mode = "url"
    generator = make(image_api, max_download_bytes=100)
    with pytest.raises(GenerationError, match="larger than 100 bytes"):
        await generator.generate(GenerationRequest("a red barn", size=(1024, 1024)))
    await generator.aclose()


async def test_rate_limit_is_retried_then_succeeds(image_api):
    image_api.fail_next(429, code="rate_limit_exceeded", message="Rate limit reached")
    generator = make(image_api, max_retries=2)
    result = await generator.generate(GenerationRequest("a cat", size=(1024, 1024)))
    await generator.aclose()
    assert len(image_api.calls) == 2 and decode(result.image).size == (1024, 1024)


async def test_server_errors_after_retries_are_backend_unavailable(image_api):
    image_api.fail_next(500, times=3, message="The server had an error")
    generator = make(image_api, max_retries=2)
    with pytest.raises(BackendUnavailable, match="HTTP 500.*The server had an error"):
        await generator.generate(GenerationRequest("a cat"))
    await generator.aclose()
    assert len(image_api.calls) == 3


async def test_rate_limit_that_persists_is_backend_unavailable(image_api):
    image_api.fail_next(429, times=2)
    generator = make(image_api, max_retries=1)
    with pytest.raises(BackendUnavailable, match="HTTP 429"):
        await generator.generate(GenerationRequest("a cat"))
    await generator.aclose()


@pytest.mark.parametrize("code", ["moderation_blocked", "content_policy_violation"])
async def test_moderation_refusal_is_prompt_refused(image_api, code):
    image_api.refuse_next(code, "Your request was rejected as a result of our safety system.")
    generator = make(image_api)
    with pytest.raises(PromptRefused) as caught:
        await generator.generate(GenerationRequest("something forbidden"))
    await generator.aclose()
    assert caught.value.reason == "Your request was rejected as a result of our safety system."
    assert len(image_api.calls) == 1  # a refusal is final, never retried


async def test_bad_key_is_a_generation_error(image_api):
    generator = make(image_api, api_key="sk-wrong")
    with pytest.raises(GenerationError, match="credentials.*Incorrect API key") as caught:
        await generator.generate(GenerationRequest("a cat"))
    await generator.aclose()
    assert not isinstance(caught.value, (BackendUnavailable, PromptRefused))


async def test_other_client_errors_carry_the_server_message(image_api):
    image_api.fail_next(400, code="invalid_value", message="Invalid size '1024x1024' for this model.")
    generator = make(image_api)
    with pytest.raises(GenerationError, match="Invalid size") as caught:
        await generator.generate(GenerationRequest("a cat"))
    await generator.aclose()
    assert type(caught.value) is GenerationError


async def test_unknown_model_is_a_generation_error(image_api):
    generator = make(image_api, model="gpt-image-nope")
    with pytest.raises(GenerationError, match="does not exist"):
        await generator.generate(GenerationRequest("a cat"))
    await generator.aclose()


async def test_unreachable_server_is_backend_unavailable():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    generator = get_generator("openai", api_key="k", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0, timeout=5)
    with pytest.raises(BackendUnavailable):
        await generator.generate(GenerationRequest("a cat"))
    await generator.aclose()


async def test_requests_are_checked_before_anything_is_sent(image_api):
    generator = make(image_api)
    with pytest.raises(InvalidGenerationRequest):
        await generator.generate(GenerationRequest("  "))
    await generator.aclose()
    assert image_api.calls == []


def test_missing_key_is_a_configuration_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(GenerationError, match="not configured"):
        get_generator("openai")

