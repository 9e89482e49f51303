"""Endorsements (Mastodon 4.4's featured accounts) through Mastodon.py and plain HTTP, the
profile directory, familiar followers (one node and across two), and the instance's privacy
policy and terms of service, from the admin's files or as Mastodon answers without them."""

import pytest
from mastodon import MastodonAPIError

from tests.api.federated import live_node, signed_in


async def _get(http, url: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.get(url, headers=headers) as response:
        return response.status, await response.json()


async def test_endorse_only_followed_accounts_and_list_them(nodes, http):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(a, "bob")
    await signed_in(b, "dora")
    bob_id = (await a.call(bob.me))["id"]
    with pytest.raises(MastodonAPIError, match="following"):
        await a.call(alice.account_pin, bob_id)  # not followed yet
    await a.call(alice.account_follow, bob_id)
    [dora] = (await a.call(alice.search_v2, f"@dora@{b.settings.domain}", resolve=True))["accounts"]
    await a.call(alice.account_follow, dora["id"])
    await nodes.settle()

    relationship = await a.call(alice.account_pin, bob_id)  # Mastodon.py's name for endorse
    assert relationship["endorsed"] is True
    async with http.post(f"{a.base_url}/api/v1/accounts/{dora['id']}/endorse",
                         headers={"Authorization": f"Bearer {alice.access_token}"}) as response:
        assert response.status == 200 and (await response.json())["endorsed"] is True
    listed = await a.call(alice.endorsements)
    assert [account["id"] for account in listed] == [dora["id"], bob_id]
    alice_id = (await a.call(alice.me))["id"]
    status, public = await _get(http, f"{a.base_url}/api/v1/accounts/{alice_id}/endorsements")
    assert status == 200 and [account["acct"] for account in public] == [f"dora@{b.settings.domain}", "bob"]

    relationship = await a.call(alice.account_unpin, bob_id)
    assert relationship["endorsed"] is False
    assert [account["id"] for account in await a.call(alice.endorsements)] == [dora["id"]]
    [again] = await a.call(alice.account_relationships, [dora["id"]])
    assert again["endorsed"] is True


async def test_directory_and_familiar_followers(nodes, http):
    a = await live_node(nodes, "a")
    alice, bob, carol = await signed_in(a, "alice"), await signed_in(a, "bob"), await signed_in(a, "carol")
    await signed_in(a, "dan")
    ids = {name: (await a.call(client.me))["id"] for name, client in (("alice", alice), ("bob", bob),
                                                                        ("carol", carol))}
    await a.call(bob.status_post, "bob was here")
    await a.call(carol.status_post, "carol was here later")

    active = await a.call(alice.directory, order="active", local=True)
    assert [account["username"] for account in active][:2] == ["carol", "bob"]
    newest = await a.call(alice.directory, order="new", limit=2)
    assert [account["username"] for account in newest] == ["dan", "carol"]
    status, problem = await _get(http, f"{a.base_url}/api/v1/directory?order=loudest")
    assert status == 400 and "order" in problem["error"]

    # alice follows bob; bob follows carol: bob is a familiar follower of carol for alice.
    await a.call(alice.account_follow, ids["bob"])
    await a.call(bob.account_follow, ids["carol"])
    [familiar] = await a.call(alice.account_familiar_followers, [ids["carol"]])
    assert familiar["id"] == ids["carol"] and [x["username"] for x in familiar["accounts"]] == ["bob"]
    status, [none] = await _get(http, f"{a.base_url}/api/v1/accounts/familiar_followers?id[]={ids['bob']}",
                                alice.access_token)
    assert status == 200 and none == {"id": ids["bob"], "accounts": []}


async def test_privacy_policy_and_terms(nodes, http, tmp_path):
    bare = await live_node(nodes, "bare")
    status, policy = await _get(http, f"{bare.base_url}/api/v1/instance/privacy_policy")
    assert status == 200 and "Privacy Policy" in policy["content"] and policy["updated_at"].endswith("Z")
    status, _ = await _get(http, f"{bare.base_url}/api/v1/instance/terms_of_service")
    assert status == 404

    (tmp_path / "privacy.html").write_text("<h1>Our policy</h1><p>We keep little.</p>")
    (tmp_path / "terms.txt").write_text("Be kind.\n\nNo <script> murals.")
    given = await live_node(nodes, "given", privacy_policy_file=str(tmp_path / "privacy.html"),
                            terms_of_service_file=str(tmp_path / "terms.txt"))
    status, policy = await _get(http, f"{given.base_url}/api/v1/instance/privacy_policy")
    assert status == 200 and policy["content"] == "<h1>Our policy</h1><p>We keep little.</p>"
    status, terms = await _get(http, f"{given.base_url}/api/v1/instance/terms_of_service")
    assert status == 200 and terms["content"] == "<p>Be kind.</p><p>No &lt;script&gt; murals.</p>"
    assert terms["effective"] is True and len(terms["effective_date"]) == 10
