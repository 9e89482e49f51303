"""Statuses through the real Mastodon.py client: posting (with Idempotency-Key), viewing,
threads, editing with history, deleting for redraft, favourites, boosts and bookmarks."""

import re

import pytest
from mastodon.errors import MastodonNotFoundError, MastodonAPIError
from sqlalchemy import func, select

from storage.models import Post

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


async def _post_count(node) -> int:
    async with await node.session() as session:
        return int((await session.execute(select(func.count()).select_from(Post))).scalar_one())


@pytest.fixture
async def alice(node):
    await node.create_user("alice")
    return await node.password_token("alice")


@pytest.fixture
async def bob(node):
    await node.create_user("bob")
    return await node.password_token("bob")


async def test_post_and_fetch_a_status(node, alice):
    posted = await node.call(alice.status_post, "hello #Murals", visibility="unlisted", spoiler_text="cw",
                             language="en")
    raw = await node.call(alice.status, posted["id"])
    assert raw["visibility"] == "unlisted" and raw["spoiler_text"] == "cw" and raw["sensitive"] is True
    assert raw["language"] == "en" and raw["account"]["username"] == "alice"
    assert [tag["name"] for tag in raw["tags"]] == ["murals"]
    assert raw["media_attachments"] == [] and raw["mentions"] == [] and raw["emojis"] == []
    assert raw["reblog"] is None and raw["generation"] is None and raw["favourited"] is False
    assert raw["account"]["statuses_count"] == 1


async def test_status_json_has_string_ids_and_mastodon_timestamps(node, alice, http):
    posted = await node.call(alice.status_post, "shape check")
    async with http.get(f"{node.base_url}/api/v1/statuses/{posted['id']}") as response:
        assert response.status == 200
        body = await response.json()
    assert body["id"] == str(posted["id"]) and body["account"]["id"].isdigit()
    assert TIMESTAMP.match(body["created_at"]) and body["edited_at"] is None
    assert "favourited" not in body  # signed out: no viewer state


async def test_idempotency_key_answers_the_same_status(node, alice):
    first = await node.call(alice.status_post, "only once", idempotency_key="key-1")
    again = await node.call(alice.status_post, "only once", idempotency_key="key-1")
    other = await node.call(alice.status_post, "only once", idempotency_key="key-2")
    assert first["id"] == again["id"] != other["id"]
    assert await _post_count(node) == 2


async def test_bad_input_is_422_and_changes_nothing(node, alice, http):
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    for body in ({"status": "x", "visibility": "everyone"}, {"status": ""}, {"status": "x", "media_ids": ["12"]},
                 {"status": "x" * 6000}, {"status": ["not", "text"]}, {"status": "x", "sensitive": "maybe"}):
        async with http.post(f"{node.base_url}/api/v1/statuses", json=body, headers=headers) as response:
            assert response.status == 422, body
            assert isinstance((await response.json())["error"], str)
    assert await _post_count(node) == 0


async def test_the_advertised_character_limit_is_enforced(node, alice, http):
    limit = (await node.call(alice.instance_v2))["configuration"]["statuses"]["max_characters"]
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    async with http.post(f"{node.base_url}/api/v1/statuses", json={"status": "x" * (limit + 100)},
                         headers=headers) as response:
        assert response.status == 422 and "longer than" in (await response.json())["error"]
    assert await _post_count(node) == 0
    assert (await node.call(alice.status_post, "x" * limit))["content"] == f"<p>{'x' * limit}</p>"


async def test_private_post_is_hidden_from_strangers(node, alice, bob, http):
    private = await node.call(alice.status_post, "followers only", visibility="private")
    with pytest.raises(MastodonNotFoundError):
        await node.call(bob.status, private["id"])
    async with http.get(f"{node.base_url}/api/v1/statuses/{private['id']}") as response:
        assert response.status == 404 and "error" in await response.json()
    assert (await node.call(alice.status, private["id"]))["id"] == private["id"]
    assert private["id"] not in [s["id"] for s in await node.call(bob.timeline_public)]
    with pytest.raises(MastodonNotFoundError):
        await node.call(bob.status_favourite, private["id"])


async def test_edit_keeps_history_and_source(node, alice):
    posted = await node.call(alice.status_post, "first words")
    edited = await node.call(alice.status_update, posted["id"], "second words", spoiler_text="careful")
    assert edited["edited_at"] is not None and "second words" in edited["content"]
    history = await node.call(alice.status_history, posted["id"])
    assert len(history) == 2
    assert "first words" in history[0]["content"] and "second words" in history[1]["content"]
    assert history[0]["spoiler_text"] == "" and history[1]["spoiler_text"] == "careful"
    source = await node.call(alice.status_source, posted["id"])
    assert source["text"] == "second words" and source["spoiler_text"] == "careful"


async def test_nobody_edits_another_users_post(node, alice, bob):
    posted = await node.call(alice.status_post, "mine")
    with pytest.raises(MastodonNotFoundError):
        await node.call(bob.status_update, posted["id"], "yours now")
    assert "mine" in (await node.call(alice.status, posted["id"]))["content"]
    assert len(await node.call(alice.status_history, posted["id"])) == 1


async def test_delete_answers_text_for_redraft(node, alice):
    posted = await node.call(alice.status_post, "draft me #again")
    deleted = await node.call(alice.status_delete, posted["id"])
    assert deleted["text"] == "draft me #again" and deleted["id"] == posted["id"]
    with pytest.raises(MastodonNotFoundError):
        await node.call(alice.status, posted["id"])


async def test_context_lists_ancestors_and_descendants(node, alice, bob):
    root = await node.call(alice.status_post, "root")
    reply = await node.call(bob.status_post, "@alice reply", in_reply_to_id=root["id"])
    deeper = await node.call(alice.status_post, "@bob deeper", in_reply_to_id=reply["id"])
    context = await node.call(bob.status_context, reply["id"])
    assert [s["id"] for s in context["ancestors"]] == [root["id"]]
    assert [s["id"] for s in context["descendants"]] == [deeper["id"]]
    assert (await node.call(bob.status, root["id"]))["replies_count"] == 1


async def test_boost_is_its_own_status_wrapping_the_original(node, alice, bob):
    original = await node.call(alice.status_post, "boost me")
    boost = await node.call(bob.status_reblog, original["id"])
    assert boost["id"] != original["id"] and boost["account"]["username"] == "bob"
    assert boost["reblog"]["id"] == original["id"] and boost["reblog"]["reblogged"] is True
    assert boost["reblog"]["reblogs_count"] == 1
    assert [a["username"] for a in await node.call(alice.status_reblogged_by, original["id"])] == ["bob"]
    home = await node.call(bob.timeline_home)
    assert home[0]["id"] == boost["id"] and home[0]["reblog"]["id"] == original["id"]
    undone = await node.call(bob.status_unreblog, original["id"])
    assert undone["id"] == original["id"] and undone["reblogged"] is False and undone["reblogs_count"] == 0
    with pytest.raises(MastodonNotFoundError):
        await node.call(bob.status, boost["id"])


async def test_favourite_and_bookmark(node, alice, bob):
    posted = await node.call(alice.status_post, "like me")
    liked = await node.call(bob.status_favourite, posted["id"])
    assert liked["favourited"] is True and liked["favourites_count"] == 1
    again = await node.call(bob.status_favourite, posted["id"])
    assert again["favourites_count"] == 1
    assert [a["username"] for a in await node.call(alice.status_favourited_by, posted["id"])] == ["bob"]
    marked = await node.call(bob.status_bookmark, posted["id"])
    assert marked["bookmarked"] is True
    assert [s["id"] for s in await node.call(bob.bookmarks)] == [posted["id"]]
    assert [s["id"] for s in await node.call(bob.favourites)] == [posted["id"]]
    assert (await node.call(bob.status_unbookmark, posted["id"]))["bookmarked"] is False
    assert await node.call(bob.bookmarks) == []
    unliked = await node.call(bob.status_unfavourite, posted["id"])
    assert unliked["favourited"] is False and unliked["favourites_count"] == 0
    assert (await node.call(alice.status, posted["id"]))["favourited"] is False


async def test_private_posts_cannot_be_boosted(node, alice):
    private = await node.call(alice.status_post, "mine only", visibility="private")
    with pytest.raises(MastodonAPIError) as refused:
        await node.call(alice.status_reblog, private["id"])
    assert refused.value.args[1] == 422
