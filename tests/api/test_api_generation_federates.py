"""A generated image, end to end across two nodes: a user of a fresh node generates through
the client API, posts the result, and a follower on another node sees it in her home
timeline with its blurhash, its alt text and its provenance. Once with the offline default,
once with the `openai` generator against the OpenAI-compatible test server."""

from tests.api.federated import generated, live_node
from tests.openai_server import FakeImageAPI

PROMPT = "a paper boat sailing through a neon city canal"


async def _follow_and_see(nodes, http, **generator_settings) -> tuple[dict, dict]:
    painter_node = await live_node(nodes, "painter", **generator_settings)
    viewer_node = await live_node(nodes, "viewer")
    await painter_node.create_user("ada")
    await viewer_node.create_user("bea")
    ada = await painter_node.password_token("ada")
    bea = await viewer_node.password_token("bea")
    [found] = (await viewer_node.call(bea.search_v2, f"@ada@{painter_node.settings.domain}", resolve=True))["accounts"]
    await viewer_node.call(bea.account_follow, found["id"])
    await nodes.settle()

    job = await generated(painter_node, ada, http, nodes, prompt=PROMPT, style="synthwave", size="320x240", seed="9")
    posted = await painter_node.call(ada.status_post, "tonight's canal", media_ids=[job["media_attachment"]["id"]])
    await nodes.settle()
    [seen] = await viewer_node.call(bea.timeline_home)
    assert seen["uri"] == posted["uri"]
    return job, seen


def _check_seen(job: dict, seen: dict, generator: str, model: str) -> None:
    [media] = seen["media_attachments"]
    assert media["description"] == PROMPT  # alt text defaults to the prompt
    assert media["blurhash"] == job["media_attachment"]["blurhash"] and media["blurhash"]
    original = job["media_attachment"]["meta"]["original"]
    assert media["meta"]["original"]["size"] == original["size"]
    provenance = seen["generation"]
    assert provenance["prompt"] == PROMPT and provenance["style"] == "synthwave"
    assert (provenance["generator"], provenance["model"]) == (generator, model)
    # OpenAI's image API takes no seed, so only the procedural generator records one.
    assert provenance.get("seed") == (job["seed"] if generator == "procedural" else None)


async def test_offline_generation_reaches_a_follower_on_another_node(nodes, http):
    job, seen = await _follow_and_see(nodes, http)
    _check_seen(job, seen, "procedural", "procedural-1")
    assert job["seed"] == "9" and job["media_attachment"]["meta"]["original"]["size"] == "320x240"


async def test_openai_generation_reaches_a_follower_on_another_node(nodes, http):
    async with FakeImageAPI(model="gpt-image-1") as image_api:
        job, seen = await _follow_and_see(
            nodes, http, generator="openai", openai_api_key=image_api.api_key,
            openai_base_url=image_api.base_url, openai_model="gpt-image-1")
    _check_seen(job, seen, "openai", "gpt-image-1")

