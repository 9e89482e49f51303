"""Signed-in pages: sign up, in and out with a session cookie; form tokens; the create page
through the generation queue; like, boost, remix (and its refusal), follow by handle; the home
feed and notifications. Each effect is checked in the database it should have changed."""

import pytest
from sqlalchemy import func, select

from node import actions, context
from node.app import create_app
from node.settings import Settings
from storage.models import Account, Favourite, Follow, GenerationJob, MediaAttachment, Post, WebSession
from tests.conftest import create_user
from tests.outbox.outbox_support import stored_media
from tests.web.support import BROWSER, get_page, session_of, settle, sign_up, submit, token_of


@pytest.fixture
def web_settings(database_url, tmp_path) -> Settings:
    # http, so that the test client sends the session cookie back (it is Secure on https nodes).
    return Settings(domain="node.test", scheme="http", database_url=database_url,
                    media_dir=str(tmp_path / "media"), run_workers=False)


@pytest.fixture
async def web(aiohttp_client, web_settings):
    return await aiohttp_client(create_app(web_settings))


async def count(app, model, *where) -> int:
    async with session_of(app) as session:
        return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def make_and_post(web, *, prompt="a lighthouse in fog", alt="a lighthouse", remix_of="") -> Post:
    response, _ = await submit(web, "/create", "/create", {"prompt": prompt, "style": "watercolor",
                                                          "size": "512x512", "remix_of": remix_of})
    job_path = response.headers["Location"]
    text, _tags = await get_page(web, job_path)
    assert 'id="job-progress"' in text and "/static/progress.js" in text
    await settle(web.app)
    text, tags = await get_page(web, job_path)
    assert tags.all("img", alt=prompt) and "Alt text" in text
    response, _ = await submit(web, job_path, job_path + "/post", {"alt": alt, "text": "fresh #fog",
                                                                    "visibility": "public"})
    post_id = int(response.headers["Location"].rsplit("/", 1)[1])
    async with session_of(web.app) as session:
        return await session.get(Post, post_id)


async def test_sign_up_starts_a_session_kept_as_a_digest(web):
    await sign_up(web, "dana")
    cookie = next(c for c in web.session.cookie_jar if c.key == "muralist_session")
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    async with session_of(web.app) as session:
        stored = (await session.execute(select(WebSession.token_digest))).scalars().all()
    assert len(stored) == 1 and cookie.value not in stored[0]
    text, tags = await get_page(web, "/home")
    assert tags.all("a", href="/@dana") and "Sign out" in text


async def test_bad_sign_up_names_the_problem_and_makes_nothing(web):
    await create_user(web.app, "erin")
    _response, text = await submit(web, "/sign-up", "/sign-up", {
        "username": "erin", "email": "not an address", "password": "short", "agreement": "on"}, status=422)
    assert "has already been taken" in text and "is not a valid address" in text and "too short" in text
    assert await count(web.app, Account, Account.domain.is_(None), Account.actor_type == "Person") == 1


@pytest.mark.parametrize("mode", ["closed", "approval"])
async def test_registration_modes(aiohttp_client, database_url, tmp_path, mode):
    client = await aiohttp_client(create_app(Settings(domain="node.test", scheme="http", database_url=database_url,
                                                      media_dir=str(tmp_path / "m"), run_workers=False,
                                                      registrations=mode)))
    if mode == "closed":
        text, _ = await get_page(client, "/sign-up", status=403)
        assert "closed" in text
        return
    _response, text = await submit(client, "/sign-up", "/sign-up", {
        "username": "fay", "email": "fay@example.org", "password": "a long password", "agreement": "on"}, status=200)
    assert "awaiting approval" in text
    assert not [c for c in client.session.cookie_jar if c.key == "muralist_session"]
    _response, text = await submit(client, "/sign-in", "/sign-in", {"login": "fay", "password": "a long password"},
                                   status=403)
    assert "awaiting approval" in text


async def test_sign_in_and_out(web):
    await create_user(web.app, "gus", password="a long password")
    await get_page(web, "/home", status=303)
    _response, text = await submit(web, "/sign-in", "/sign-in", {"login": "gus", "password": "wrong"}, status=422)
    assert "Wrong login or password." in text
    response, _ = await submit(web, "/sign-in?next=/notifications", "/sign-in",
                               {"login": "gus@example.org", "password": "a long password", "next": "/notifications"})
    assert response.headers["Location"] == "/notifications"
    await get_page(web, "/notifications")
    await submit(web, "/home", "/sign-out", {})
    await get_page(web, "/home", status=303)
    assert await count(web.app, WebSession) == 0


async def test_forms_without_their_token_or_from_another_site_change_nothing(web):
    await sign_up(web, "hal")
    text, tags = await get_page(web, "/create")
    assert "Made here by procedural" in text  # the configured generator, as the API describes it
    fields = {"prompt": "a cat", "remix_of": ""}
    response = await web.post("/create", data=fields, headers=BROWSER, allow_redirects=False)
    assert response.status == 403 and "did not come from this site" in await response.text()
    response = await web.post("/create", data={**fields, "csrf_token": token_of(tags)},
                              headers={**BROWSER, "Origin": "https://evil.example"}, allow_redirects=False)
    assert response.status == 403
    assert await count(web.app, GenerationJob) == 0


async def test_create_generate_post_then_like_and_boost(web):
    await sign_up(web, "ivy")
    post = await make_and_post(web)
    async with session_of(web.app) as session:
        media = (await session.execute(select(MediaAttachment).where(MediaAttachment.post_id == post.id))).scalar_one()
    assert post.local and post.visibility == "public" and "fog" in post.tags
    assert media.description == "a lighthouse" and media.generation["prompt"] == "a lighthouse in fog"
    _text, tags = await get_page(web, "/")
    assert tags.all("a", href=f"/@ivy/{post.id}")
    for verb, do in (("like", "like"), ("boost", "boost")):
        await submit(web, f"/@ivy/{post.id}", f"/posts/{post.id}/{verb}", {"do": do})
    text, tags = await get_page(web, f"/@ivy/{post.id}")
    assert "<strong>1</strong> like<" in text and "<strong>1</strong> boost<" in text
    assert tags.all("button", value="unlike") and tags.all("button", value="unboost")
    await submit(web, f"/@ivy/{post.id}", f"/posts/{post.id}/like", {"do": "unlike"})
    assert await count(web.app, Favourite) == 0
    await submit(web, f"/@ivy/{post.id}", f"/posts/{post.id}/like", {"do": "boost"}, status=400)


async def test_bad_generation_request_shows_why(web):
    await sign_up(web, "jo")
    _response, text = await submit(web, "/create", "/create", {"prompt": "x", "size": "99999x1", "remix_of": ""},
                                   status=422)
    assert "out of range" in text and await count(web.app, GenerationJob) == 0


async def test_remix_and_its_refusal(web):
    kim = await create_user(web.app, "kim")
    async with session_of(web.app) as session:
        settings = web.app[context.SETTINGS]
        media = await stored_media(session, settings, kim, description="x")
        open_post = await actions.create_post(session, settings, kim, media_ids=[media.id])
        await session.commit()
    await sign_up(web, "lee")
    _text, tags = await get_page(web, f"/@kim/{open_post.id}")
    assert tags.all("a", href=f"/create?remix_of={open_post.id}")
    remix = await make_and_post(web, prompt="the lighthouse, remixed", remix_of=str(open_post.id))
    assert remix.quote_of_id == open_post.id
    text, tags = await get_page(web, f"/@kim/{open_post.id}")
    assert tags.all("a", href=f"/@lee/{remix.id}")

    async with session_of(web.app) as session:
        media = MediaAttachment(account_id=kim.id, remote_url="https://node.test/static/header.png", description="y")
        session.add(media)
        await session.flush()
        closed = await actions.create_post(session, settings, kim, media_ids=[media.id], quote_policy="nobody")
        await session.commit()
    text, tags = await get_page(web, f"/@kim/{closed.id}")
    assert "does not let you remix" in text and not tags.all("a", href=f"/create?remix_of={closed.id}")
    text, _ = await get_page(web, f"/create?remix_of={closed.id}", status=403)
    assert "does not allow you to remix" in text
    jobs = await count(web.app, GenerationJob)
    _response, text = await submit(web, "/create", "/create", {"prompt": "mine now", "remix_of": str(closed.id)},
                                   status=403)
    assert "does not allow you to remix" in text and await count(web.app, GenerationJob) == jobs


async def test_follow_by_handle_and_button_home_feed_and_notifications(web):
    mo = await create_user(web.app, "mo")
    async with session_of(web.app) as session:
        media = MediaAttachment(account_id=mo.id, remote_url="https://node.test/static/header.png", description="z")
        session.add(media)
        await session.flush()
        post = await actions.create_post(session, web.app[context.SETTINGS], mo, text="hello", media_ids=[media.id])
        await session.commit()
    await sign_up(web, "ned")
    response, _ = await submit(web, "/home", "/follow", {"handle": "@mo@node.test"})
    assert response.headers["Location"] == "/@mo"
    assert await count(web.app, Follow) == 1
    _text, tags = await get_page(web, "/home")
    assert tags.all("a", href=f"/@mo/{post.id}")
    _text, tags = await get_page(web, "/@mo")
    assert tags.all("button", value="unfollow")
    await submit(web, "/@mo", "/follow", {"account_id": str(mo.id), "do": "unfollow"})
    assert await count(web.app, Follow) == 0
    _response, text = await submit(web, "/home", "/follow", {"handle": "not a handle!"}, status=400)
    assert "enter a handle" in text
    _response, text = await submit(web, "/home", "/follow", {"handle": "@nobody@node.test"}, status=404)
    # Mo's notifications, seen by Mo after she signs in.
    await submit(web, "/home", "/sign-out", {})
    await web.app[context.SESSIONMAKER]().close()
    await submit(web, "/sign-in", "/sign-in", {"login": "mo", "password": "correct horse"})
    text, _ = await get_page(web, "/notifications")
    assert "followed you" in text and 'href="/@ned"' in text


async def test_signed_out_visitors_are_sent_to_sign_in(web):
    response = await web.get("/create", headers=BROWSER, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/sign-in?next=/create"
    response = await web.post("/posts/1/like", headers=BROWSER, allow_redirects=False)
    assert response.status == 303


async def test_wrong_passwords_past_the_limit_wait_with_a_message(aiohttp_client, database_url, tmp_path):
    client = await aiohttp_client(create_app(Settings(
        domain="node.test", scheme="http", database_url=database_url, media_dir=str(tmp_path / "m"),
        run_workers=False, rate_limit_sign_in_ip="2 per 5 minutes")))
    await create_user(client.app, "oz", password="a long password")
    for _ in range(2):
        await submit(client, "/sign-in", "/sign-in", {"login": "oz", "password": "nope"}, status=422)
    response, text = await submit(client, "/sign-in", "/sign-in", {"login": "oz", "password": "a long password"},
                                  status=429)
    assert "Too many wrong passwords" in text and int(response.headers["Retry-After"]) > 0
    assert await count(client.app, WebSession) == 0


async def test_an_expired_or_unknown_session_signs_nobody_in(web):
    await sign_up(web, "pat")
    async with session_of(web.app) as session:
        row = (await session.execute(select(WebSession))).scalar_one()
        row.expires_at = row.created_at
        await session.commit()
    await get_page(web, "/home", status=303)
    web.session.cookie_jar.update_cookies({"muralist_session": "x" * 43})
    _text, tags = await get_page(web, "/")
    assert tags.all("a", href="/sign-in")
