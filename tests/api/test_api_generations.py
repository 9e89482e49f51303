"""Generation through the client API: queue a job, let the worker draw it, post the image.

Workers are driven by hand (`run_workers=False`, then a round) except in the test that proves
the background loop of a serving node picks jobs up by itself.
"""

import asyncio
import io
from datetime import timedelta

import pytest
from PIL import Image

from node.workers import WORKERS
from storage.media import TRAINED_ALGORITHMIC_MEDIA, read_provenance
from storage.models import GenerationJob, MediaAttachment
from storage.types import utcnow
from tests.openai_server import FakeImageAPI

PROMPT = "a lighthouse at dusk over a stormy sea"


class Caller:
    """Raw JSON calls with a user's token, for Muralist's own methods Mastodon.py does not know."""

    def __init__(self, node, http, api) -> None:
        self.node, self.http = node, http
        self.headers = {"Authorization": f"Bearer {api.access_token}"}

    async def __call__(self, method: str, path: str, **kwargs):
        async with self.http.request(method, self.node.base_url + path, headers=self.headers, **kwargs) as response:
            return response.status, await response.json(), response.headers

    async def generate(self, **fields):
        fields.setdefault("prompt", PROMPT)
        return await self("POST", "/api/v1/generations", json=fields)

    async def job(self, job_id: str) -> dict:
        status, body, _ = await self("GET", f"/api/v1/generations/{job_id}")
        assert status == 200, body
        return body


async def signed_in(node, http, username: str = "ada") -> tuple[Caller, object]:
    await node.create_user(username)
    api = await node.password_token(username)
    return Caller(node, http, api), api


async def download(http, url: str) -> bytes:
    async with http.get(url) as response:
        assert response.status == 200
        return await response.read()


async def test_generate_post_and_federate_the_provenance(start_node, http):
    node = await start_node(run_workers=False)
    call, api = await signed_in(node, http)
    status, job, _ = await call.generate(style="watercolour", size="256x192", seed="42")
    assert status == 202, job
    assert job["state"] == "queued" and job["style"] == "watercolor" and job["size"] == "256x192"
    assert job["media_attachment"] is None and job["error"] is None and job["remix_of"] is None
    assert await node.app[WORKERS].generation_round() == 1
    done = await call.job(job["id"])
    assert done["state"] == "done", done
    assert (done["generator"], done["model"], done["seed"]) == ("procedural", "procedural-1", "42")
    media = done["media_attachment"]
    assert media["description"] == PROMPT
    assert media["blurhash"] and media["url"].endswith(".png")
    assert media["meta"]["original"]["width"] == 256 and media["meta"]["original"]["height"] == 192
    provenance = read_provenance(await download(http, media["url"]))
    assert provenance.digital_source_type == TRAINED_ALGORITHMIC_MEDIA
    assert (provenance.prompt, provenance.generator, provenance.model, provenance.seed) == (
        PROMPT, "procedural", "procedural-1", 42)
    # The preview carries the same statement.
    assert read_provenance(await download(http, media["preview_url"])).prompt == PROMPT

    posted = await node.call(api.status_post, "made on Muralist", media_ids=[media["id"]])
    assert posted["media_attachments"][0]["id"] == media["id"]
    assert posted["generation"]["prompt"] == PROMPT and posted["generation"]["generator"] == "procedural"
    assert posted["generation"]["seed"] == "42"  # a string, as in the generations API
    async with http.get(posted["uri"], headers={"Accept": "application/activity+json"}) as response:
        note = await response.json(content_type=None)
    assert note["generation"] == {"prompt": PROMPT, "style": "watercolor", "generator": "procedural",
                                  "model": "procedural-1", "seed": 42}
    terms = note["@context"][1]
    assert terms["muralist"] == "https://muralist.social/ns#" and terms["prompt"] == "muralist:prompt"
    assert note["attachment"][0]["name"] == PROMPT


async def test_a_serving_node_runs_jobs_in_the_background(node, http):
    call, _api = await signed_in(node, http)
    status, job, _ = await call.generate(size="128x128")
    assert status == 202
    async with asyncio.timeout(60):
        while (current := await call.job(job["id"]))["state"] in ("queued", "running"):
            await asyncio.sleep(0.05)
    assert current["state"] == "done" and current["media_attachment"]["blurhash"]


async def test_a_remix_starts_from_the_posted_image(start_node, http):
    node = await start_node(run_workers=False)
    call, api = await signed_in(node, http)
    source = io.BytesIO()
    Image.new("RGB", (200, 200), (250, 20, 20)).save(source, "PNG")
    upload = await node.call(api.media_post, source.getvalue(), mime_type="image/png")
    post = await node.call(api.status_post, "a red square", media_ids=[upload["id"]])
    status, job, _ = await call.generate(prompt="the same, at night", size="128x128", remix_of=post["id"])
    assert status == 202 and job["remix_of"] == post["id"]
    await node.app[WORKERS].generation_round()
    done = await call.job(job["id"])
    assert done["state"] == "done", done
    async with await node.session() as session:
        media = await session.get(MediaAttachment, int(done["media_attachment"]["id"]))
    assert media.generation["remix_of"] == post["id"] and media.generation["source"] == post["uri"]
    for missing in ("12345", "99999999999999999999999", "abc"):
        status, body, _ = await call.generate(prompt="x", remix_of=missing)
        assert status == 404, body


@pytest.mark.parametrize("fields, words", [
    ({"prompt": "   "}, "prompt is empty"),
    ({"style": "crayon"}, "unknown style"),
    ({"size": "big"}, "WIDTHxHEIGHT"),
    ({"size": "10x10"}, "out of range"),
    ({"seed": "-3"}, "seed"),
])
async def test_bad_input_is_refused_and_queues_nothing(start_node, http, fields, words):
    node = await start_node(run_workers=False)
    call, _api = await signed_in(node, http)
    status, body, _ = await call.generate(**fields)
    assert status == 422 and words in body["error"], body
    status, history, _ = await call("GET", "/api/v1/generations")
    assert status == 200 and history == []


async def test_rate_limit_answers_429_with_retry_after(start_node, http):
    node = await start_node(run_workers=False, generation_rate="2 per hour")
    call, _api = await signed_in(node, http)
    for _ in range(2):
        assert (await call.generate(size="64x64"))[0] == 202
    status, body, headers = await call.generate(size="64x64")
    assert status == 429 and "2 images per hour" in body["error"]
    assert 3500 <= int(headers["Retry-After"]) <= 3600
    _, history, _ = await call("GET", "/api/v1/generations")
    assert len(history) == 2
    # Someone else has an allowance of their own.
    other, _ = await signed_in(node, http, "bob")
    assert (await other.generate(size="64x64"))[0] == 202


async def test_history_is_private_and_paged_newest_first(start_node, http):
    node = await start_node(run_workers=False, generation_rate="unlimited")
    call, _api = await signed_in(node, http)
    ids = [(await call.generate(prompt=f"picture {n}", size="64x64"))[1]["id"] for n in range(3)]
    status, first, headers = await call("GET", "/api/v1/generations?limit=2")
    assert [job["id"] for job in first] == [ids[2], ids[1]]
    assert f"max_id={ids[1]}" in headers["Link"] and f"min_id={ids[2]}" in headers["Link"]
    assert headers["Link"].startswith(f"<{node.base_url}/api/v1/generations?")
    _, rest, _ = await call("GET", f"/api/v1/generations?max_id={ids[1]}")
    assert [job["id"] for job in rest] == [ids[0]]
    _, newer, _ = await call("GET", f"/api/v1/generations?min_id={ids[0]}&limit=1")
    assert [job["id"] for job in newer] == [ids[1]]
    _, clamped, _ = await call("GET", "/api/v1/generations?limit=500")
    assert len(clamped) == 3
    other, _ = await signed_in(node, http, "bob")
    assert (await other("GET", f"/api/v1/generations/{ids[0]}"))[0] == 404
    assert (await call("GET", "/api/v1/generations/99999999999999999999999"))[0] == 404
    assert (await other("GET", "/api/v1/generations"))[1] == []


async def test_styles_are_listed(node, http):
    async with http.get(f"{node.base_url}/api/v1/generations/styles") as response:
        styles = await response.json()
    assert response.status == 200
    names = [style["name"] for style in styles]
    assert "watercolor" in names and all(style["description"] for style in styles)


async def test_a_refused_prompt_fails_with_the_backends_words(start_node, http):
    async with FakeImageAPI(model="gpt-image-1") as image_api:
        node = await start_node(run_workers=False, generator="openai", openai_api_key=image_api.api_key,
                                openai_base_url=image_api.base_url, openai_model="gpt-image-1")
        call, _api = await signed_in(node, http)
        image_api.refuse_next(message="Your request was rejected by the safety system.")
        _, job, _ = await call.generate()
        await node.app[WORKERS].generation_round()
        failed = await call.job(job["id"])
        assert failed["state"] == "failed" and failed["media_attachment"] is None
        assert failed["error"] == "Your request was rejected by the safety system."
        # The next prompt goes through the same backend and is drawn.
        _, job, _ = await call.generate(prompt="a quiet garden")
        await node.app[WORKERS].generation_round()
        done = await call.job(job["id"])
        assert done["state"] == "done" and done["generator"] == "openai" and done["model"] == "gpt-image-1"


async def test_an_unavailable_backend_is_retried_later(start_node, http):
    async with FakeImageAPI(model="gpt-image-1") as image_api:
        node = await start_node(run_workers=False, generator="openai", openai_api_key=image_api.api_key,
                                openai_base_url=image_api.base_url, openai_model="gpt-image-1")
        call, _api = await signed_in(node, http)
        image_api.fail_next(503, times=3)  # the openai client's own two retries included
        _, job, _ = await call.generate()
        await node.app[WORKERS].generation_round()
        waiting = await call.job(job["id"])
        assert waiting["state"] == "queued" and waiting["error"] is None
        async with await node.session() as session:
            row = await session.get(GenerationJob, int(job["id"]))
            assert row.next_attempt_at > utcnow() and "503" in row.error and row.attempts == 1
            row.next_attempt_at = utcnow() - timedelta(seconds=1)  # as if the backoff had passed
            await session.commit()
        await node.app[WORKERS].generation_round()
        assert (await call.job(job["id"]))["state"] == "done"
