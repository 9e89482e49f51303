"""Tags through Mastodon.py: a tag with its week of use, following and unfollowing it (its
public posts enter the home feed, from this node and from another), the followed tags,
featured tags on a profile, and hashtag timelines with any / all / none."""

import pytest
from mastodon.errors import MastodonAPIError, MastodonNotFoundError

from tests.api.federated import live_node, signed_in


async def _user(node, name):
    await node.create_user(name)
    return await node.password_token(name)


async def test_tag_history_follow_and_home_feed(node, http):
    alice, bob = await _user(node, "alice"), await _user(node, "bob")
    with pytest.raises(MastodonNotFoundError):
        await node.call(alice.tag, "murals")  # nobody used it yet
    before = await node.call(bob.status_post, "an old #Murals post")
    tag = await node.call(alice.tag, "murals")
    assert tag["name"] == "murals" and tag["following"] is False and tag["url"].endswith("/tags/murals")
    assert len(tag["history"]) == 7 and tag["history"][0]["uses"] == "1" and tag["history"][0]["accounts"] == "1"

    followed = await node.call(alice.tag_follow, "Murals")
    assert followed["following"] is True
    assert [t["name"] for t in await node.call(alice.followed_tags)] == ["Murals"]
    tagged = await node.call(bob.status_post, "a new #murals wall")
    await node.call(bob.status_post, "an untagged wall")
    await node.call(bob.status_post, "a quiet #murals note", visibility="unlisted")
    assert [s["id"] for s in await node.call(alice.timeline_home)] == [tagged["id"]]  # not the old one
    assert before["id"] not in [s["id"] for s in await node.call(alice.timeline_home)]

    unfollowed = await node.call(alice.tag_unfollow, "murals")
    assert unfollowed["following"] is False and await node.call(alice.followed_tags) == []
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    for bad in ("%20", "123", "no-dashes"):
        async with http.post(f"{node.base_url}/api/v1/tags/{bad}/follow", headers=headers) as response:
            assert response.status == 422, bad
    assert await node.call(alice.followed_tags) == []


async def test_featured_tags(node, http):
    alice = await _user(node, "alice")
    await node.call(alice.status_post, "#sunsets over the #harbour")
    await node.call(alice.status_post, "more #sunsets")
    featured = await node.call(alice.featured_tag_create, "Sunsets")
    assert featured["name"] == "Sunsets" and featured["statuses_count"] in ("2", 2)
    assert featured["url"].endswith("/@alice/tagged/sunsets") and featured["last_status_at"]
    with pytest.raises(MastodonAPIError):
        await node.call(alice.featured_tag_create, "sunsets")  # twice
    suggestions = await node.call(alice.featured_tag_suggestions)
    assert [t["name"] for t in suggestions] == ["harbour"]
    alice_id = (await node.call(alice.me))["id"]
    async with http.get(f"{node.base_url}/api/v1/accounts/{alice_id}/featured_tags") as response:
        assert [t["name"] for t in await response.json()] == ["Sunsets"]  # public, no token needed
    assert (await node.call(alice.tag, "sunsets"))["featuring"] is True
    await node.call(alice.featured_tag_delete, featured["id"])
    assert await node.call(alice.featured_tags) == []
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    async with http.post(f"{node.base_url}/api/v1/tags/harbour/feature", headers=headers) as response:
        assert (await response.json())["featuring"] is True
    assert [t["name"] for t in await node.call(alice.featured_tags)] == ["harbour"]


async def test_hashtag_timeline_any_all_none(node, http):
    alice = await _user(node, "alice")
    both = await node.call(alice.status_post, "#cats and #dogs")
    cats = await node.call(alice.status_post, "only #cats")
    dogs = await node.call(alice.status_post, "only #dogs")
    birds = await node.call(alice.status_post, "only #birds")

    async def timeline(query: str) -> list[str]:
        async with http.get(f"{node.base_url}/api/v1/timelines/tag/cats?{query}") as response:
            assert response.status == 200
            return [status["id"] for status in await response.json()]

    assert await timeline("") == [cats["id"], both["id"]]
    assert await timeline("any[]=birds") == [birds["id"], cats["id"], both["id"]]
    assert await timeline("all[]=dogs") == [both["id"]]
    assert await timeline("none[]=dogs") == [cats["id"]]
    assert await timeline("any[]=dogs&none[]=cats") == [dogs["id"]]


async def test_followed_tag_brings_a_remote_post_home(nodes):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob, carol = await signed_in(a, "alice"), await signed_in(b, "bob"), await signed_in(a, "carol")
    # Carol on A follows bob, so bob's public posts reach A; alice follows only the tag.
    [remote_bob] = (await a.call(carol.search_v2, f"@bob@{b.settings.domain}", resolve=True))["accounts"]
    await a.call(carol.account_follow, remote_bob["id"])
    await nodes.settle()
    await a.call(alice.tag_follow, "harbour")
    posted = await b.call(bob.status_post, "the #Harbour wall is done")
    await b.call(bob.status_post, "the station wall is done")
    await nodes.settle()
    [status] = await a.call(alice.timeline_home)
    assert status["uri"] == posted["uri"] and status["account"]["acct"] == remote_bob["acct"]


async def test_featured_tags_are_federated_as_a_collection(node, http):
    alice = await _user(node, "alice")
    await node.call(alice.featured_tag_create, "Harbour")
    headers = {"Accept": "application/activity+json"}
    async with http.get(f"{node.base_url}/users/alice", headers=headers) as response:
        collection_uri = (await response.json())["featuredTags"]
    assert collection_uri == f"{node.base_url}/users/alice/collections/tags"
    async with http.get(collection_uri, headers=headers) as response:
        assert response.status == 200 and response.content_type == "application/activity+json"
        collection = await response.json()
    assert collection["id"] == collection_uri and collection["type"] == "Collection"
    assert collection["items"] == [{"type": "Hashtag", "href": f"{node.base_url}/tags/harbour", "name": "#Harbour"}]
    async with http.get(f"{node.base_url}/users/nobody/collections/tags", headers=headers) as response:
        assert response.status == 404
