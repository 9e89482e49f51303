"""Search (v2 and v1 accounts) through the real Mastodon.py client: stored accounts and posts,
hashtags, and `resolve=true` fetching a remote handle or post URL from a second node over
signed HTTP so it can be followed and favourited."""

import asyncio

import pytest
from mastodon.errors import MastodonAPIError
from sqlalchemy import select

from storage.models import Account, Post
from node.federation.runtime import FEDERATION
from tests.api.federated import live_node, signed_in
from tests.barrier import fetch_together


async def test_resolve_handle_follow_and_see_the_post_at_home(nodes):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    found = await a.call(alice.search_v2, f"@bob@{b.settings.domain}", resolve=True)
    [account] = found["accounts"]
    assert account["acct"] == f"bob@{b.settings.domain}" and account["uri"] == f"{b.base_url}/users/bob"
    relationship = await a.call(alice.account_follow, account["id"])
    assert relationship["requested"] is True  # a remote follow waits for the Accept
    await nodes.settle()
    [relationship] = await a.call(alice.account_relationships, [account["id"]])
    assert relationship["following"] is True and relationship["requested"] is False
    # Without resolve the stored account is found too, also by the bare `user@domain`.
    again = await a.call(alice.search_v2, f"bob@{b.settings.domain}", resolve=False)
    assert [item["id"] for item in again["accounts"]] == [account["id"]]

    posted = await b.call(bob.status_post, "fresh paint #murals")
    await nodes.settle()
    home = await a.call(alice.timeline_home)
    assert [status["uri"] for status in home] == [posted["uri"]]
    assert home[0]["account"]["id"] == account["id"]


async def test_two_users_resolving_one_handle_at_once_both_get_it(nodes):
    """Both requests fetch the actor before either has stored it, then both store it: the
    second insert loses the race and must answer the row the first one stored, not a 500."""
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, carol = await signed_in(a, "alice"), await signed_in(a, "carol")
    await b.create_user("bob")
    arrived = fetch_together(a.app[FEDERATION].fetcher)
    handle = f"@bob@{b.settings.domain}"
    first, second = await asyncio.gather(a.call(alice.search_v2, handle, resolve=True),
                                         a.call(carol.search_v2, handle, resolve=True))
    # Both fetched the actor (each then reads its featured collection too: its pinned posts).
    assert arrived.count(f"{b.base_url}/users/bob") == 2
    [one], [other] = first["accounts"], second["accounts"]
    assert one["id"] == other["id"] and one["acct"] == f"bob@{b.settings.domain}"
    async with await a.session() as session:
        rows = (await session.execute(select(Account).where(Account.username == "bob"))).scalars().all()
    assert len(rows) == 1


async def test_resolve_post_url_then_favourite_it(nodes):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    posted = await b.call(bob.status_post, "an image post, honestly")
    found = await a.call(alice.search_v2, posted["uri"], resolve=True, result_type="statuses")
    [status] = found["statuses"]
    assert status["uri"] == posted["uri"] and status["account"]["acct"] == f"bob@{b.settings.domain}"
    assert found["accounts"] == [] and found["hashtags"] == []
    await a.call(alice.status_favourite, status["id"])
    await nodes.settle()
    assert (await b.call(bob.status, posted["id"]))["favourites_count"] == 1
    # A second search finds the stored copy rather than a second one.
    again = await a.call(alice.search_v2, posted["uri"], resolve=True)
    assert [item["id"] for item in again["statuses"]] == [status["id"]]
    async with await a.session() as session:
        assert len((await session.execute(select(Post))).scalars().all()) == 1


async def test_resolve_actor_url_and_unknown_handle(nodes):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice = await signed_in(a, "alice")
    await b.create_user("bob")
    found = await a.call(alice.search_v2, f"{b.base_url}/users/bob", resolve=True)
    assert [item["acct"] for item in found["accounts"]] == [f"bob@{b.settings.domain}"]
    nobody = await a.call(alice.search_v2, f"@nobody@{b.settings.domain}", resolve=True)
    assert nobody["accounts"] == [] and nobody["statuses"] == []


async def test_without_sign_in_nothing_is_fetched(nodes, http):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    await b.create_user("bob")
    params = {"q": f"@bob@{b.settings.domain}", "resolve": "true"}
    async with http.get(f"{a.base_url}/api/v2/search", params=params) as response:
        assert response.status == 200 and (await response.json())["accounts"] == []
    async with await a.session() as session:
        assert (await session.execute(select(Account).where(Account.username == "bob"))).first() is None


async def test_local_search_accounts_statuses_and_hashtags(node):
    alice = await signed_in(node, "alice")
    bob = await signed_in(node, "bobby")
    await node.call(bob.account_update_credentials, display_name="Robert Painter")
    await node.call(bob.status_post, "a mural of Painted foxes")
    await node.call(bob.status_post, "secret painted owls", visibility="direct")
    by_name = await node.call(alice.search_v2, "bob", resolve=False)
    assert [account["acct"] for account in by_name["accounts"]] == ["bobby"]
    by_display = await node.call(alice.account_search, "painter")
    assert [account["acct"] for account in by_display] == ["bobby"]
    found = await node.call(alice.search_v2, "painted", result_type="statuses")
    # The direct post does not mention alice: she cannot see it, so it is not found.
    assert [status["content"] for status in found["statuses"]] == ["<p>a mural of Painted foxes</p>"]
    assert found["accounts"] == [] and found["hashtags"] == []
    tags = await node.call(alice.search_v2, "#Foxes", result_type="hashtags")
    assert tags["hashtags"] == [{"name": "foxes", "url": f"{node.base_url}/tags/foxes", "history": [],
                                 "following": False}]
    # LIKE wildcards in the query are taken literally.
    assert (await node.call(alice.search_v2, "%", result_type="accounts"))["accounts"] == []


async def test_bad_search_input_is_a_json_400(node, http):
    alice = await signed_in(node, "alice")
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    for query in ("", "?q=", "?q=x&type=people", "?q=x&limit=ten", "?q=" + "x" * 501):
        async with http.get(f"{node.base_url}/api/v2/search{query}", headers=headers) as response:
            assert response.status == 400 and "error" in await response.json()
    with pytest.raises(MastodonAPIError):
        await node.call(alice.account_search, "")
