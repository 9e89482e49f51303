"""Follows, relationships, follow requests, followers/following pages, profile statuses and
profile editing through the real Mastodon.py client on one node."""

import io

import pytest
from mastodon.errors import MastodonAPIError, MastodonNotFoundError
from PIL import Image
from sqlalchemy import func, select

from storage.models import Account, Follow


async def _signed_in(node, *names, **kwargs):
    """Create the users and answer a signed-in client for each."""
    clients = []
    for name in names:
        await node.create_user(name, **kwargs.get(name, {}))
        clients.append(await node.password_token(name))
    return clients


async def _follow_count(node) -> int:
    async with await node.session() as session:
        return (await session.execute(select(func.count()).select_from(Follow))).scalar_one()


async def test_follow_unlocked_then_unfollow(node):
    alice, bob = await _signed_in(node, "alice", "bob")
    bob_id = (await node.call(bob.me))["id"]
    relationship = await node.call(alice.account_follow, bob_id)
    assert relationship["following"] is True and relationship["requested"] is False
    assert relationship["id"] == str(bob_id)
    [seen_by_bob] = await node.call(bob.account_relationships, [(await node.call(alice.me))["id"]])
    assert seen_by_bob["followed_by"] is True and seen_by_bob["following"] is False
    followers = await node.call(bob.account_followers, bob_id)
    assert [account["acct"] for account in followers] == ["alice"]
    relationship = await node.call(alice.account_unfollow, bob_id)
    assert relationship["following"] is False and await _follow_count(node) == 0


async def test_locked_account_is_requested_until_authorized(node):
    alice, carol = await _signed_in(node, "alice", "carol")
    await node.call(carol.account_update_credentials, locked=True)
    carol_id, alice_id = (await node.call(carol.me))["id"], (await node.call(alice.me))["id"]
    relationship = await node.call(alice.account_follow, carol_id)
    assert relationship["requested"] is True and relationship["following"] is False
    assert [account["id"] for account in await node.call(carol.follow_requests)] == [alice_id]
    answer = await node.call(carol.follow_request_authorize, alice_id)
    assert answer["followed_by"] is True and answer["requested_by"] is False
    [relationship] = await node.call(alice.account_relationships, [carol_id])
    assert relationship["following"] is True and relationship["requested"] is False
    following = await node.call(alice.account_following, alice_id)
    assert [account["acct"] for account in following] == ["carol"]


async def test_reject_removes_the_request(node):
    alice, carol = await _signed_in(node, "alice", "carol")
    await node.call(carol.account_update_credentials, locked=True)
    carol_id, alice_id = (await node.call(carol.me))["id"], (await node.call(alice.me))["id"]
    await node.call(alice.account_follow, carol_id)
    answer = await node.call(carol.follow_request_reject, alice_id)
    assert answer["requested_by"] is False and answer["followed_by"] is False
    assert await _follow_count(node) == 0
    with pytest.raises(MastodonNotFoundError):
        await node.call(carol.follow_request_reject, alice_id)


async def test_bad_follow_input_changes_nothing(node, http):
    (alice,) = await _signed_in(node, "alice")
    alice_id = (await node.call(alice.me))["id"]
    with pytest.raises(MastodonAPIError) as own:
        await node.call(alice.account_follow, alice_id)
    assert own.value.args[1] == 422
    with pytest.raises(MastodonNotFoundError):
        await node.call(alice.account_follow, 123456789)
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    for path in ("/api/v1/accounts/99999999999999999999/follow", "/api/v1/follow_requests/1/authorize"):
        async with http.post(node.base_url + path, headers=headers) as response:
            assert response.status == 404 and "error" in await response.json()
    async with http.get(f"{node.base_url}/api/v1/accounts/relationships?id[]=abc", headers=headers) as response:
        assert response.status == 400 and "error" in await response.json()
    async with http.post(f"{node.base_url}/api/v1/accounts/{alice_id}/follow") as response:
        assert response.status == 401 and "error" in await response.json()
    assert await _follow_count(node) == 0


async def test_followers_are_paged_with_link_headers(node, http):
    (target,) = await _signed_in(node, "target")
    target_id = (await node.call(target.me))["id"]
    for index in range(3):
        client = (await _signed_in(node, f"fan{index}"))[0]
        await node.call(client.account_follow, target_id)
    async with http.get(f"{node.base_url}/api/v1/accounts/{target_id}/followers?limit=2") as response:
        first = await response.json()
        assert [account["acct"] for account in first] == ["fan2", "fan1"]
        next_url = response.links["next"]["url"]
        assert str(next_url).startswith(node.base_url)
    async with http.get(next_url) as response:
        assert [account["acct"] for account in await response.json()] == ["fan0"]


async def test_account_statuses_filters(node):
    alice, bob = await _signed_in(node, "alice", "bob")
    alice_id = (await node.call(alice.me))["id"]
    first = await node.call(alice.status_post, "first post")
    reply = await node.call(bob.status_post, "a reply", in_reply_to_id=first["id"])
    answer = await node.call(alice.status_post, "answering bob", in_reply_to_id=reply["id"])
    await node.call(alice.status_post, "followers only", visibility="private")
    # bob does not follow alice: the followers-only post is not on the profile he sees.
    statuses = await node.call(bob.account_statuses, alice_id)
    assert [status["id"] for status in statuses] == [answer["id"], first["id"]]
    own = await node.call(alice.account_statuses, alice_id)
    assert len(own) == 3
    without_replies = await node.call(alice.account_statuses, alice_id, exclude_replies=True)
    assert [status["id"] for status in without_replies][-1] == first["id"] and len(without_replies) == 2
    assert await node.call(alice.account_statuses, alice_id, only_media=True) == []
    assert await node.call(alice.account_statuses, alice_id, pinned=True) == []
    paged = await node.call(alice.account_statuses, alice_id, limit=1)
    older = await node.call(alice.fetch_next, paged)
    assert len(paged) == 1 and len(older) == 1 and older[0]["id"] != paged[0]["id"]


def _png(color=(200, 40, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "PNG")
    return buffer.getvalue()


async def test_update_credentials_texts_fields_and_images(node):
    (alice,) = await _signed_in(node, "alice")
    account = await node.call(
        alice.account_update_credentials, display_name="Alice A.", note="I paint with #robots",
        fields=[("site", "https://example.org"), ("medium", "pixels")], bot=True,
        avatar=io.BytesIO(_png()), avatar_mime_type="image/png",
    )
    assert account["display_name"] == "Alice A." and account["bot"] is True
    assert "#robots" in account["note"] or "robots" in account["note"]
    assert [field["name"] for field in account["fields"]] == ["site", "medium"]
    assert account["source"]["fields"][0]["value"] == "https://example.org"
    assert "/media/" in account["avatar"] and account["avatar"].startswith(node.base_url)
    assert account["header"].endswith("/static/header.png")
    # The avatar is served from the node.
    me = await node.call(alice.me)
    assert me["avatar"] == account["avatar"]


async def test_update_credentials_refuses_bad_input_and_keeps_the_profile(node, http):
    (alice,) = await _signed_in(node, "alice")
    await node.call(alice.account_update_credentials, display_name="Alice")
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    url = f"{node.base_url}/api/v1/accounts/update_credentials"
    for body in ({"display_name": "x" * 31}, {"locked": "maybe"}, {"note": "y" * 501}):
        async with http.patch(url, data=body, headers=headers) as response:
            assert response.status == 422 and "error" in await response.json()
    from aiohttp import FormData

    form = FormData()
    form.add_field("display_name", "Changed")
    form.add_field("avatar", b"not an image", filename="a.png", content_type="image/png")
    async with http.patch(url, data=form, headers=headers) as response:
        assert response.status == 422 and "error" in await response.json()
    async with await node.session() as session:
        account = (await session.execute(select(Account).where(Account.username == "alice"))).scalar_one()
    assert account.display_name == "Alice" and account.avatar_uri is None and account.locked is False
