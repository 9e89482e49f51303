"""Odd and hostile form posts from a signed-in browser, with a valid form token: every form
route answers a 4xx (or its usual redirect), never a 5xx, and a refused form changes nothing."""

import aiohttp
import pytest
from sqlalchemy import func, select

from node.app import create_app
from node.settings import Settings
from storage.models import Favourite, Follow, GenerationJob, Post
from tests.web.support import BROWSER, get_page, session_of, sign_up, token_of

ODD_VALUES = ["", "\x00", "a\x00b", "x" * 20_000, "💥" * 50, "-1", "99999999999999999999999", "@", "@@x@y",
              "javascript:alert(1)", "<script>alert(1)</script>", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1")]
ROUTES = [
    ("/sign-in", ("login", "password", "next")),
    ("/sign-up", ("username", "email", "password", "agreement")),
    ("/create", ("prompt", "style", "size", "remix_of")),
    ("/create/jobs/1/post", ("alt", "text", "visibility")),
    ("/posts/1/like", ("do",)),
    ("/posts/1/boost", ("do",)),
    ("/follow", ("handle", "account_id", "do")),
]


@pytest.fixture
async def web(aiohttp_client, database_url, tmp_path):
    return await aiohttp_client(create_app(Settings(
        domain="node.test", scheme="http", database_url=database_url, media_dir=str(tmp_path / "media"),
        run_workers=False, rate_limit_sign_in_ip="unlimited", rate_limit_sign_up="unlimited",
        rate_limit_sign_in_account="unlimited", generation_rate="unlimited")))


async def rows(app) -> tuple:
    async with session_of(app) as session:
        return tuple([(await session.execute(select(func.count()).select_from(model))).scalar_one()
                      for model in (Post, Favourite, Follow, GenerationJob)])


async def test_odd_forms_never_crash_the_node(web):
    await sign_up(web, "quinn")
    _text, tags = await get_page(web, "/home")
    token = token_of(tags)
    before = await rows(web.app)
    for action, names in ROUTES:
        for value in ODD_VALUES:
            fields = {name: value for name in names}
            response = await web.post(action, data={"csrf_token": token, **fields}, headers=BROWSER,
                                      allow_redirects=False)
            assert response.status < 500, (action, value[:40], response.status, (await response.text())[-600:])
            if action == "/sign-in" and response.status == 303:
                continue
        # A file where text belongs, and a multipart body.
        form = aiohttp.FormData({"csrf_token": token})
        for name in names:
            form.add_field(name, b"\x89PNG", filename="x.png", content_type="image/png")
        response = await web.post(action, data=form, headers=BROWSER, allow_redirects=False)
        assert response.status < 500, (action, "file", response.status)
    after = await rows(web.app)
    assert after == before
    # A body far past what a form holds is refused before it is read.
    response = await web.post("/create", data={"csrf_token": token, "prompt": "x" * 400_000}, headers=BROWSER,
                              allow_redirects=False)
    assert response.status == 413
