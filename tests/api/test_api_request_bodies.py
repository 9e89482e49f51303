"""Request bodies over HTTP: one reader for JSON, form and multipart bodies, one boolean rule
for all three, a 422 naming the field for a value of the wrong type (never a 500), files only
in the fields an endpoint names, and deep nesting refused before it costs recursion."""

import io

import pytest
from aiohttp import FormData
from PIL import Image
from sqlalchemy import func, select

from node.api import media as media_api
from storage.models import GenerationJob, Post

HUGE_ID = "99999999999999999999"


def png_bytes(size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, "PNG")
    return out.getvalue()


def multipart(fields: dict) -> FormData:
    form = FormData(default_to_multipart=True)
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            form.add_field(name, item)
    return form


def body(kind: str, fields: dict) -> dict:
    """aiohttp keyword arguments sending `fields` as a JSON, form or multipart body."""
    if kind == "json":
        return {"json": fields}
    if kind == "form":
        return {"data": [(f"{k}[]" if isinstance(v, list) else k, item) for k, v in fields.items()
                         for item in (v if isinstance(v, list) else [v])]}
    return {"data": multipart({f"{k}[]" if isinstance(v, list) else k: v for k, v in fields.items()})}


@pytest.fixture
async def auth(node) -> dict:
    await node.create_user("alice")
    api = await node.password_token("alice")
    return {"Authorization": f"Bearer {api.access_token}"}


async def call(http, method: str, url: str, **kwargs) -> tuple[int, dict | list]:
    async with http.request(method, url, **kwargs) as response:
        return response.status, await response.json()


async def count(node, model) -> int:
    async with await node.session() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


@pytest.mark.parametrize("kind", ["json", "form", "multipart"])
async def test_each_body_kind_reads_the_same_post(node, http, auth, kind):
    upload = FormData()
    upload.add_field("file", png_bytes(), filename="a.png", content_type="image/png")
    status, media = await call(http, "POST", f"{node.base_url}/api/v2/media", headers=auth, data=upload)
    assert status == 200, media
    fields = {"status": "hello", "visibility": "unlisted", "sensitive": "true", "media_ids": [media["id"]]}
    status, post = await call(http, "POST", f"{node.base_url}/api/v1/statuses", headers=auth, **body(kind, fields))
    assert status == 200, post
    assert post["visibility"] == "unlisted" and post["sensitive"] is True
    assert [item["id"] for item in post["media_attachments"]] == [media["id"]]


@pytest.mark.parametrize("kind", ["json", "form", "multipart"])
@pytest.mark.parametrize("spelling, meaning", [("1", True), ("true", True), ("on", True), ("0", False),
                                               ("false", False), ("off", False), ("", False)])
async def test_one_boolean_rule_for_every_body(node, http, auth, kind, spelling, meaning):
    url = f"{node.base_url}/api/v1/statuses"
    status, post = await call(http, "POST", url, headers=auth, **body(kind, {"status": "x", "sensitive": spelling}))
    assert status == 200 and post["sensitive"] is meaning, post
    status, account = await call(http, "PATCH", f"{node.base_url}/api/v1/accounts/update_credentials",
                                 headers=auth, **body(kind, {"locked": spelling}))
    assert status == 200 and account["locked"] is meaning, account
    if kind == "json" and spelling in ("1", "0"):
        status, post = await call(http, "POST", url, headers=auth, json={"status": "x", "sensitive": int(spelling)})
        assert status == 200 and post["sensitive"] is meaning


@pytest.mark.parametrize("kind", ["json", "form", "multipart"])
async def test_a_word_that_is_no_boolean_is_refused_by_every_body(node, http, auth, kind):
    status, error = await call(http, "POST", f"{node.base_url}/api/v1/statuses", headers=auth,
                               **body(kind, {"status": "x", "sensitive": "maybe"}))
    assert status == 422 and error["error"].startswith("sensitive must be true or false")
    assert await count(node, Post) == 0


@pytest.mark.parametrize("fields, named", [
    ({"status": 5}, "status must be text"),
    ({"status": "x", "media_ids": [HUGE_ID]}, "media_ids must be a list of ids"),
    ({"status": "x", "media_ids": "abc"}, "media_ids must be a list of ids"),
    ({"status": "x", "media_ids": {"a": 1}}, "media_ids must be a list"),
    ({"status": "x", "sensitive": {}}, "sensitive must be true or false"),
    ({"status": "x", "visibility": ["public"]}, "visibility must be text"),
    ({"status": "x", "in_reply_to_id": [1]}, "in_reply_to_id must be an id"),
    ({"status": "a\ud800b"}, "status must be valid text"),
    ({"status": "x", "spoiler_text": "a\x00b"}, "spoiler_text must be valid text"),
])
async def test_statuses_name_the_wrong_field(node, http, auth, fields, named):
    status, error = await call(http, "POST", f"{node.base_url}/api/v1/statuses", headers=auth, json=fields)
    assert status == 422 and error["error"].startswith(named), error
    assert await count(node, Post) == 0


@pytest.mark.parametrize("fields, named", [
    ({"size": 1024}, "size must be text, not a number"),
    ({"prompt": ["a", "b"]}, "prompt must be text, not a list"),
    ({"style": {"name": "x"}}, "style must be text, not an object"),
    ({"seed": "1.5"}, "seed must be a whole number"),
    ({"seed": [1]}, "seed must be a whole number"),
    ({"remix_of": {"id": 1}}, "remix_of must be an id"),
])
async def test_generations_name_the_wrong_field(start_node, http, fields, named):
    node = await start_node(run_workers=False)
    await node.create_user("ada")
    api = await node.password_token("ada")
    status, error = await call(http, "POST", f"{node.base_url}/api/v1/generations", json={"prompt": "a fox", **fields},
                               headers={"Authorization": f"Bearer {api.access_token}"})
    assert status == 422 and error["error"].startswith(named), error
    assert await count(node, GenerationJob) == 0


async def test_media_fields_and_files(node, http, auth, monkeypatch):
    url = f"{node.base_url}/api/v2/media"
    with_thumbnail = multipart({"description": "a ramp"})
    with_thumbnail.add_field("file", png_bytes(), filename="a.png", content_type="image/png")
    with_thumbnail.add_field("thumbnail", png_bytes((8, 8)), filename="t.png", content_type="image/png")
    status, media = await call(http, "POST", url, headers=auth, data=with_thumbnail)
    assert status == 200 and media["description"] == "a ramp", media
    stray = FormData()
    stray.add_field("file", png_bytes(), filename="a.png", content_type="image/png")
    stray.add_field("other", b"\x89PNG", filename="b.png", content_type="image/png")
    status, error = await call(http, "POST", url, headers=auth, data=stray)
    assert status == 422 and "other" in error["error"]
    listed = multipart({"description[]": ["a", "b"]})
    listed.add_field("file", png_bytes(), filename="a.png", content_type="image/png")
    status, error = await call(http, "POST", url, headers=auth, data=listed)
    assert status == 422 and error["error"].startswith("description must be text, not a list")
    status, error = await call(http, "POST", url, headers=auth, json={"file": "not a file"})
    assert status == 422 and "file" in error["error"]
    status, error = await call(http, "PUT", f"{node.base_url}/api/v1/media/{media['id']}", headers=auth,
                               json={"focus": [0.5, 0.5]})
    assert status == 422 and error["error"].startswith("focus must be text, not a list")
    monkeypatch.setitem(media_api.UPLOAD_FILES, "file", 100)
    big = FormData()
    big.add_field("file", png_bytes((64, 64)), filename="a.png", content_type="image/png")
    status, error = await call(http, "POST", url, headers=auth, data=big)
    assert status == 413 and "file" in error["error"]


async def test_profile_update_names_the_wrong_field_and_takes_an_avatar(node, http, auth):
    url = f"{node.base_url}/api/v1/accounts/update_credentials"
    for fields, named in [({"display_name": 5}, "display_name must be text"),
                          ({"locked": {"a": 1}}, "locked must be true or false"),
                          ({"note": ["x"]}, "note must be text"),
                          ({"fields_attributes": "x"}, "fields_attributes must be a list of objects"),
                          ({"fields_attributes": [{"name": 1}]}, "fields_attributes[0][name] must be text")]:
        status, error = await call(http, "PATCH", url, headers=auth, json=fields)
        assert status == 422 and error["error"].startswith(named), (fields, error)
    form = multipart({"display_name": "Alice", "bot": "1", "fields_attributes[0][name]": "web",
                      "fields_attributes[0][value]": "https://example.org"})
    form.add_field("avatar", png_bytes(), filename="me.png", content_type="image/png")
    status, account = await call(http, "PATCH", url, headers=auth, data=form)
    assert status == 200, account
    assert account["display_name"] == "Alice" and account["bot"] is True
    assert account["fields"][0]["name"] == "web" and "/media/" in account["avatar"]
    stray = FormData()
    stray.add_field("banner", png_bytes(), filename="b.png", content_type="image/png")
    status, error = await call(http, "PATCH", url, headers=auth, data=stray)
    assert status == 422 and "banner" in error["error"]


async def test_oauth_fields_of_the_wrong_type_are_invalid_requests(node, http):
    status, error = await call(http, "POST", f"{node.base_url}/oauth/token",
                               json={"grant_type": ["password"], "client_id": "x", "client_secret": "y"})
    assert status == 400 and error["error"] == "invalid_request" and "grant_type" in error["error_description"]
    status, error = await call(http, "POST", f"{node.base_url}/api/v1/apps",
                               json={"client_name": ["x"], "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"})
    assert status == 422 and error["error"].startswith("client_name must be text")


async def test_the_body_wins_over_the_query(node, http):
    fields = {"client_name": "From the body", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
    status, app = await call(http, "POST", f"{node.base_url}/api/v1/apps?client_name=From+the+query&website=",
                             json=fields)
    assert status == 200 and app["name"] == "From the body"


@pytest.mark.parametrize("raw", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"status": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001,
    b'{"status": "x", "poll": ' + b"[" * 40 + b"]" * 40 + b"}",
])
async def test_deep_json_is_refused(node, http, auth, raw):
    status, error = await call(http, "POST", f"{node.base_url}/api/v1/statuses", data=raw,
                               headers={**auth, "Content-Type": "application/json"})
    assert status == 400 and "nest" in error["error"]


@pytest.mark.parametrize("kind", ["form", "multipart"])
async def test_deeply_bracketed_names_are_refused(node, http, auth, kind):
    name = "status" + "[a]" * 1000
    data = [(name, "x")] if kind == "form" else multipart({name: "x"})
    status, error = await call(http, "POST", f"{node.base_url}/api/v1/statuses", headers=auth, data=data)
    assert status == 400 and "nests deeper" in error["error"]
