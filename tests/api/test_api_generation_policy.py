"""The generation policy: refused words and the OpenAI-compatible /v1/moderations endpoint
(the real `openai` package against tests/openai_server.py) are asked before a prompt reaches
the generator; a refusal says why and queues nothing. Generated images of a suspended
account stop being served."""

from sqlalchemy import func, select

from node.workers import WORKERS
from storage.models import GenerationJob
from tests.api.test_api_admin import ADMIN_SCOPES
from tests.api.test_api_generations import download, signed_in
from tests.openai_server import FakeImageAPI


async def _jobs(node) -> int:
    async with await node.session() as session:
        return (await session.execute(select(func.count()).select_from(GenerationJob))).scalar_one()


async def test_refused_words_are_refused_before_anything_is_queued(start_node, http):
    node = await start_node(run_workers=False, generation_refused_words="Gore, blood bath")
    call, _api = await signed_in(node, http)
    for prompt, word in (("a GORE-soaked wall", "gore"), ("a blood bath at noon", "blood bath")):
        status, answer, _ = await call.generate(prompt=prompt)
        assert status == 422 and word in answer["error"] and "refuses" in answer["error"]
    status, job, _ = await call.generate(prompt="a gorgeous mural of a bloodhound")  # whole words only
    assert status == 202, job
    assert await _jobs(node) == 1


async def test_the_moderation_endpoint_is_asked_through_openai(start_node, http):
    async with FakeImageAPI() as moderation:
        node = await start_node(run_workers=False, generation_moderation=True, openai_api_key=moderation.api_key,
                                openai_base_url=moderation.base_url)
        call, _api = await signed_in(node, http)
        status, answer, _ = await call.generate(prompt="a wall of gore")
        assert status == 422 and "violence/graphic" in answer["error"] and "flagged" in answer["error"]
        assert moderation.moderation_calls[-1] == {"model": "omni-moderation-latest", "input": "a wall of gore"}
        status, job, _ = await call.generate(prompt="a quiet harbour")
        assert status == 202, job
        moderation.fail_next(500, times=2)  # down: refused for now, not let through unchecked
        status, answer, _ = await call.generate(prompt="a quiet harbour again")
        assert status == 503 and "moderation" in answer["error"]
        assert await _jobs(node) == 1


async def test_images_of_a_suspended_account_are_not_served(start_node, http):
    node = await start_node(run_workers=False)
    call, api = await signed_in(node, http)
    _, job, _ = await call.generate()
    await node.app[WORKERS].generation_round()
    url = (await call.job(job["id"]))["media_attachment"]["url"]
    assert await download(http, url)
    await node.create_user("root", admin=True)
    admin = await node.password_token("root", scopes=ADMIN_SCOPES)
    ada_id = (await node.call(api.me))["id"]
    await node.call(admin.admin_account_moderate, ada_id, "suspend")
    async with http.get(url) as response:
        assert response.status == 404
    await node.call(admin.admin_account_unsuspend, ada_id)
    assert await download(http, url)
