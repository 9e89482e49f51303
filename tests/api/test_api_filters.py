"""Filters through Mastodon.py: v2 filters with keywords and posts, created, changed and
deleted; v1 filters answered from the same rows; and filters at work on the server: the
`filtered` field, `hide` leaving a post out of the timelines, notifications and streams of
its contexts, whole-word matching, expiry, and a remote post hidden across two nodes."""

import asyncio
import json

import pytest
from aiohttp import WSMsgType
from mastodon.errors import MastodonAPIError, MastodonNotFoundError

from storage.models import Filter
from tests.api.federated import live_node, signed_in


async def _user(node, name):
    await node.create_user(name)
    return await node.password_token(name)


async def _pair(node):
    """alice following bob; answers (alice, bob)."""
    alice, bob = await _user(node, "alice"), await _user(node, "bob")
    await node.call(alice.account_follow, (await node.call(bob.me))["id"])
    return alice, bob


def _ids(statuses) -> list[str]:
    return [status["id"] for status in statuses]


async def test_v2_filter_crud_keywords_and_statuses(node, http):
    alice, bob = await _pair(node)
    made = await node.call(alice.create_filter_v2, "Cats", ["home", "public"], "warn", expires_in=3600,
                           keywords_attributes=[{"keyword": "cat", "whole_word": True},
                                                {"keyword": "kitten", "whole_word": False}])
    assert made["title"] == "Cats" and made["context"] == ["home", "public"] and made["filter_action"] == "warn"
    assert 3500 < (made["expires_at"] - made["expires_at"].now(made["expires_at"].tzinfo)).total_seconds() <= 3600
    assert [(k["keyword"], k["whole_word"]) for k in made["keywords"]] == [("cat", True), ("kitten", False)]
    assert made["statuses"] == []
    assert _ids(await node.call(alice.filters_v2)) == [made["id"]]

    extra = await node.call(alice.add_filter_keyword_v2, made["id"], "tabby", whole_word=True)
    assert [k["keyword"] for k in await node.call(alice.filter_keywords_v2, made["id"])] == ["cat", "kitten", "tabby"]
    await node.call(alice.delete_filter_keyword_v2, extra["id"])
    posted = await node.call(bob.status_post, "a dog")
    status = await node.call(alice.add_filter_status_v2, made["id"], posted["id"])
    assert status["status_id"] == posted["id"]
    assert (await node.call(alice.filter_status_v2, status["id"]))["status_id"] == posted["id"]
    changed = await node.call(alice.update_filter_v2, made["id"], title="Animals", filter_action="hide",
                              keywords_attributes=[{"id": made["keywords"][0]["id"], "_destroy": True},
                                                   {"keyword": "puppy"}])
    assert changed["title"] == "Animals" and changed["filter_action"] == "hide"
    assert [k["keyword"] for k in changed["keywords"]] == ["kitten", "puppy"]
    assert [s["status_id"] for s in changed["statuses"]] == [posted["id"]]

    headers = {"Authorization": f"Bearer {alice.access_token}"}
    bad = [{"title": "x", "context": ["home"], "filter_action": "explode"},
           {"title": "x", "context": ["kitchen"]}, {"title": "", "context": ["home"]},
           {"title": "x", "context": ["home"], "keywords_attributes": [{"keyword": " "}]},
           {"title": "x", "context": ["home"], "expires_in": -5}]
    for body in bad:
        async with http.post(f"{node.base_url}/api/v2/filters", headers=headers, json=body) as response:
            assert response.status == 422, body
            assert (await response.json())["error"]
    with pytest.raises(MastodonAPIError):  # the same post twice
        await node.call(alice.add_filter_status_v2, made["id"], posted["id"])
    assert _ids(await node.call(alice.filters_v2)) == [made["id"]]  # nothing half-made
    with pytest.raises(MastodonNotFoundError):
        await node.call(bob.filter_v2, made["id"])  # another user's filter is unknown
    await node.call(alice.delete_filter_v2, made["id"])
    assert await node.call(alice.filters_v2) == []


async def test_v1_filters_are_v2_keywords(node):
    alice, _bob = await _pair(node)
    v1 = await node.call(alice.filter_create, "spoiler", ["home", "notifications"], irreversible=True,
                         whole_word=False)
    assert v1["phrase"] == "spoiler" and v1["irreversible"] is True and v1["whole_word"] is False
    [v2] = await node.call(alice.filters_v2)
    assert v2["title"] == "spoiler" and v2["filter_action"] == "hide" and v2["keywords"][0]["id"] == v1["id"]
    updated = await node.call(alice.filter_update, v1["id"], phrase="spoilers", irreversible=False)
    assert updated["phrase"] == "spoilers" and updated["irreversible"] is False
    assert [f["phrase"] for f in await node.call(alice.filters)] == ["spoilers"]
    await node.call(alice.filter_delete, v1["id"])
    assert await node.call(alice.filters) == [] and await node.call(alice.filters_v2) == []


async def test_filters_on_timelines_notifications_and_threads(node):
    alice, bob = await _pair(node)
    cat = await node.call(bob.status_post, "my Cat sleeps")
    concat = await node.call(bob.status_post, "concatenate these strings")
    kitten = await node.call(bob.status_post, "a kittens' mural")
    plain = await node.call(bob.status_post, "just paint")
    await node.call(alice.create_filter_v2, "Cats", ["home"], "warn",
                    keywords_attributes=[{"keyword": "cat", "whole_word": True},
                                         {"keyword": "kitten", "whole_word": False}])
    home = {status["id"]: status for status in await node.call(alice.timeline_home)}
    assert home[cat["id"]]["filtered"][0]["keyword_matches"] == ["cat"]
    assert home[cat["id"]]["filtered"][0]["filter"]["title"] == "Cats"
    assert home[kitten["id"]]["filtered"][0]["keyword_matches"] == ["kitten"]
    assert home[concat["id"]]["filtered"] == [] and home[plain["id"]]["filtered"] == []

    hide = await node.call(alice.create_filter_v2, "No paint", ["home", "notifications"], "hide",
                           keywords_attributes=[{"keyword": "paint"}])
    assert plain["id"] not in _ids(await node.call(alice.timeline_home))
    # Hidden in home only: elsewhere the post is there, marked, as Mastodon marks it.
    [public] = [s for s in await node.call(alice.timeline_public) if s["id"] == plain["id"]]
    assert public["filtered"][0]["filter"]["filter_action"] == "hide"
    assert public["filtered"][0]["filter"]["context"] == ["home", "notifications"]

    # A filtered post by id, and a reply to it, in notifications and in a thread.
    alice_id = (await node.call(alice.me))["id"]
    shout = await node.call(bob.status_post, "@alice come paint with me", in_reply_to_id=cat["id"])
    assert shout["id"] not in [n["status"]["id"] for n in await node.call(alice.notifications) if n.get("status")]
    await node.call(alice.create_filter_v2, "This one", ["thread"], "hide")
    await node.call(alice.delete_filter_v2, hide["id"])
    [mention] = [n for n in await node.call(alice.notifications, types=["mention"])]
    assert mention["status"]["id"] == shout["id"] and mention["account"]["id"] != alice_id
    this_one = [f for f in await node.call(alice.filters_v2) if f["title"] == "This one"][0]
    await node.call(alice.add_filter_status_v2, this_one["id"], shout["id"])
    assert _ids((await node.call(alice.status_context, cat["id"]))["descendants"]) == []
    assert _ids((await node.call(bob.status_context, cat["id"]))["descendants"]) == [shout["id"]]

    # An expired filter does nothing.
    async with await node.session() as session:
        for row in (await session.execute(Filter.__table__.select())).all():
            found = await session.get(Filter, row.id)
            found.expires_at = found.created_at
        await session.commit()
    home = {status["id"]: status for status in await node.call(alice.timeline_home)}
    assert all(status["filtered"] == [] for status in home.values()) and shout["id"] in home


async def _event(ws) -> dict:
    message = await ws.receive(timeout=10)
    assert message.type == WSMsgType.TEXT, message
    event = json.loads(message.data)
    event["payload"] = json.loads(event["payload"]) if event["event"] != "delete" else event["payload"]
    return event


async def test_filters_in_streams(node, http):
    alice, bob = await _pair(node)
    await node.call(alice.create_filter_v2, "Gone", ["home", "public"], "hide",
                    keywords_attributes=[{"keyword": "spoiler"}])
    await node.call(alice.create_filter_v2, "Careful", ["home"], "warn", keywords_attributes=[{"keyword": "ending"}])
    url = f"{node.base_url}/api/v1/streaming?access_token={alice.access_token}&stream=user"
    async with http.ws_connect(url) as ws, \
            http.ws_connect(f"{node.base_url}/api/v1/streaming?stream=public") as anonymous:
        await ws.send_json({"type": "subscribe", "stream": "public"})
        await asyncio.sleep(0.1)
        await node.call(bob.status_post, "a spoiler about the mural")
        shown = await node.call(bob.status_post, "the ending is nice")
        events = [await _event(ws), await _event(ws)]
        assert {(tuple(e["stream"]), e["payload"]["id"]) for e in events} == {(("user",), shown["id"]),
                                                                              (("public",), shown["id"])}
        [home] = [e for e in events if e["stream"] == ["user"]]
        assert home["payload"]["filtered"][0]["keyword_matches"] == ["ending"]
        # Signed out, nothing is filtered.
        assert len({(await _event(anonymous))["payload"]["content"] for _ in range(2)}) == 2


async def test_filter_hides_a_remote_post_in_home_and_its_stream(nodes, http):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    [remote_bob] = (await a.call(alice.search_v2, f"@bob@{b.settings.domain}", resolve=True))["accounts"]
    await a.call(alice.account_follow, remote_bob["id"])
    await nodes.settle()
    await a.call(alice.create_filter_v2, "Weather", ["home"], "hide", keywords_attributes=[{"keyword": "rain"}])
    async with http.ws_connect(f"{a.base_url}/api/v1/streaming?access_token={alice.access_token}&stream=user") as ws:
        await b.call(bob.status_post, "rain again on the wall")
        dry = await b.call(bob.status_post, "sunny mural day")
        await nodes.settle()
        event = await _event(ws)
        assert event["payload"]["uri"] == dry["uri"]
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive(timeout=0.5)
    assert [status["uri"] for status in await a.call(alice.timeline_home)] == [dry["uri"]]
