"""Timelines, favourites and bookmarks through Mastodon.py: what each list holds, and paging
by max_id / since_id / min_id with absolute `Link` headers, as clients page them."""

import pytest

from node import actions, context
from storage.models import Account


@pytest.fixture
async def alice(node):
    await node.create_user("alice")
    return await node.password_token("alice")


async def _follow(node, follower: str, target: str) -> None:
    async with await node.session() as session:
        accounts = {a.username: a for a in (await session.execute(
            Account.__table__.select().where(Account.username.in_([follower, target])))).all()}
        me, them = await session.get(Account, accounts[follower].id), await session.get(Account, accounts[target].id)
        await actions.follow(session, node.app[context.SETTINGS], me, them)
        await session.commit()


async def _five_posts(node, api) -> list[str]:
    return [(await node.call(api.status_post, f"post {n}"))["id"] for n in range(5)]


def _ids(page) -> list[str]:
    return [status["id"] for status in page]


async def test_home_pages_down_and_up(node, alice):
    ids = await _five_posts(node, alice)
    first = await node.call(alice.timeline_home, limit=2)
    assert _ids(first) == [ids[4], ids[3]]
    second = await node.call(alice.fetch_next, first)
    assert _ids(second) == [ids[2], ids[1]]
    third = await node.call(alice.fetch_next, second)
    assert _ids(third) == [ids[0]]
    back = await node.call(alice.fetch_previous, third)
    # min_id: the ascending slice just above the cursor, still answered newest first.
    assert _ids(back) == [ids[2], ids[1]]
    assert _ids(await node.call(alice.timeline_home, min_id=ids[0], limit=2)) == [ids[2], ids[1]]
    assert _ids(await node.call(alice.timeline_home, since_id=ids[0], limit=2)) == [ids[4], ids[3]]
    assert _ids(await node.call(alice.timeline_home, max_id=ids[3], since_id=ids[0])) == [ids[2], ids[1]]


async def test_link_header_is_absolute_and_limit_is_clamped(node, alice, http):
    ids = await _five_posts(node, alice)
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    async with http.get(f"{node.base_url}/api/v1/timelines/home?limit=2&local=true", headers=headers) as response:
        assert response.status == 200
        link = response.headers["Link"]
    assert link == (f'<{node.base_url}/api/v1/timelines/home?limit=2&local=true&max_id={ids[3]}>; rel="next", '
                    f'<{node.base_url}/api/v1/timelines/home?limit=2&local=true&min_id={ids[4]}>; rel="prev"')
    assert "Link" in response.headers.get("Access-Control-Expose-Headers", "")
    async with http.get(f"{node.base_url}/api/v1/timelines/home?limit=1000", headers=headers) as response:
        assert response.status == 200 and len(await response.json()) == 5
    async with http.get(f"{node.base_url}/api/v1/timelines/home?max_id=abc", headers=headers) as response:
        assert response.status == 400 and "error" in await response.json()
    async with http.get(f"{node.base_url}/api/v1/timelines/home?min_id={ids[4]}", headers=headers) as response:
        assert await response.json() == [] and "Link" not in response.headers


async def test_home_needs_a_token(node, http):
    async with http.get(f"{node.base_url}/api/v1/timelines/home") as response:
        assert response.status == 401 and "error" in await response.json()


async def test_home_shows_followed_accounts_only(node, alice):
    await node.create_user("bob")
    await node.create_user("carol")
    bob, carol = await node.password_token("bob"), await node.password_token("carol")
    await _follow(node, "alice", "bob")
    from_bob = await node.call(bob.status_post, "bob speaks")
    await node.call(carol.status_post, "carol speaks")
    assert _ids(await node.call(alice.timeline_home)) == [from_bob["id"]]


async def test_public_timeline_filters(node, alice, http):
    public = await node.call(alice.status_post, "for everyone #sunset")
    await node.call(alice.status_post, "quiet", visibility="unlisted")
    await node.call(alice.status_post, "friends", visibility="private")
    await node.call(alice.status_post, "@alice note to self", visibility="direct")
    await node.create_user("bob")
    bob = await node.password_token("bob")
    # Replies to others stay out of the public feed (Mastodon's rule); a self-reply stays in.
    await node.call(bob.status_post, "@alice answer", in_reply_to_id=public["id"])
    assert _ids(await node.call(alice.timeline_public)) == [public["id"]]
    assert _ids(await node.call(alice.timeline_public, local=True)) == [public["id"]]
    assert _ids(await node.call(alice.timeline_public, remote=True)) == []
    assert _ids(await node.call(alice.timeline_public, only_media=True)) == []
    assert _ids(await node.call(alice.timeline_hashtag, "sunset")) == [public["id"]]
    assert _ids(await node.call(alice.timeline_hashtag, "Sunset")) == [public["id"]]
    assert _ids(await node.call(alice.timeline_hashtag, "sun")) == []
    async with http.get(f"{node.base_url}/api/v1/timelines/public") as response:
        assert response.status == 200 and [s["id"] for s in await response.json()] == [public["id"]]


async def test_favourites_page_by_favourite_order(node, alice):
    ids = await _five_posts(node, alice)
    for post_id in (ids[1], ids[3], ids[0]):
        await node.call(alice.status_favourite, post_id)
    first = await node.call(alice.favourites, limit=2)
    assert _ids(first) == [ids[0], ids[3]]
    assert _ids(await node.call(alice.fetch_next, first)) == [ids[1]]
