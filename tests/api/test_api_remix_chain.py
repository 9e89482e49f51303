"""Remixes across servers, through Mastodon.py and signed HTTP only: a post on A remixed on B,
that remix remixed on C, with the consent (FEP-044f QuoteRequest, Accept, QuoteAuthorization)
travelling between the nodes; a remix the source's policy refuses; a revoked authorization."""

import pytest
from mastodon.errors import MastodonAPIError
from sqlalchemy import select

from storage.models import Quote

from tests.api.federated import generated, live_node

PROMPT = "the same harbour, at night, in watercolour"


async def _generate(node, api, http, nodes, **fields) -> dict:
    return await generated(node, api, http, nodes, size="128x128", **fields)


async def _resolve(node, api, uri: str) -> dict:
    [found] = (await node.call(api.search_v2, uri, resolve=True))["statuses"]
    return found


async def _remix(node, api, http, nodes, source: dict, prompt: str) -> dict:
    """Generate a remix of `source` (as this node knows it) and post it: posting quotes it."""
    job = await _generate(node, api, http, nodes, prompt=prompt, remix_of=source["id"])
    assert job["remix_of"] == source["id"] and job["remix_of_uri"] == source["uri"]
    posted = await node.call(api.status_post, prompt, media_ids=[job["media_attachment"]["id"]])
    await nodes.settle()
    return await node.call(api.status, posted["id"])


@pytest.fixture
async def three(nodes):
    a, b, c = [await live_node(nodes, name) for name in ("a", "b", "c")]
    for node, name in ((a, "alice"), (b, "bob"), (c, "carol")):
        await node.create_user(name)
    return (a, await a.password_token("alice")), (b, await b.password_token("bob")), \
        (c, await c.password_token("carol"))


async def test_a_remix_chain_across_three_nodes(three, nodes, http):
    (a, alice), (b, bob), (c, carol) = three
    source_job = await _generate(a, alice, http, nodes, prompt="a harbour at noon")
    original = await a.call(alice.status_post, "my harbour", media_ids=[source_job["media_attachment"]["id"]])
    assert original["quote_approval"] == {"automatic": ["public"], "manual": [], "current_user": "automatic"}

    # B remixes A's post: B asks A (QuoteRequest), A consents (Accept + QuoteAuthorization).
    seen_on_b = await _resolve(b, bob, original["uri"])
    remix = await _remix(b, bob, http, nodes, seen_on_b, PROMPT)
    assert remix["quote"]["state"] == "accepted"
    assert remix["quote"]["quoted_status"]["uri"] == original["uri"]
    assert remix["generation"]["source"] == original["uri"]

    # A knows the remix as an accepted quote, counts it, lists it, and told alice.
    assert (await a.call(alice.status, original["id"]))["quotes_count"] == 1
    [listed] = await a.call(alice.status_quotes, original["id"])
    assert listed["uri"] == remix["uri"] and listed["quote"]["state"] == "accepted"
    [note] = [n for n in await a.call(alice.notifications) if n["type"] == "quote"]
    assert note["status"]["uri"] == remix["uri"] and note["account"]["acct"] == f"bob@{b.settings.domain}"

    # C remixes B's remix; C learns the whole lineage as it resolves the remix.
    seen_on_c = await _resolve(c, carol, remix["uri"])
    assert seen_on_c["quote"]["state"] == "accepted"
    assert seen_on_c["quote"]["quoted_status"]["uri"] == original["uri"]
    second = await _remix(c, carol, http, nodes, seen_on_c, "and again, in snow")
    assert second["quote"]["state"] == "accepted"
    nested = second["quote"]["quoted_status"]
    assert nested["uri"] == remix["uri"]
    # One level deep: the remix's own quote is shallow, naming the original by id on C.
    assert nested["quote"]["state"] == "accepted"
    on_c = await c.call(carol.status, nested["quote"]["quoted_status_id"])
    assert on_c["uri"] == original["uri"]

    # B counts C's remix of its remix, and bob was told.
    assert (await b.call(bob.status, remix["id"]))["quotes_count"] == 1
    assert [n["status"]["uri"] for n in await b.call(bob.notifications) if n["type"] == "quote"] == [second["uri"]]


async def test_a_refused_remix_costs_no_image(three, nodes, http):
    (a, alice), (b, bob), _c = three
    job = await _generate(a, alice, http, nodes, prompt="mine alone")
    original = await a.call(alice.status_post, "not for remixing", media_ids=[job["media_attachment"]["id"]],
                            quote_approval_policy="nobody")
    assert original["quote_approval"]["automatic"] == []
    seen_on_b = await _resolve(b, bob, original["uri"])
    assert seen_on_b["quote_approval"]["current_user"] == "denied"
    headers = {"Authorization": f"Bearer {bob.access_token}"}
    async with http.post(f"{b.base_url}/api/v1/generations", headers=headers,
                         json={"prompt": PROMPT, "remix_of": seen_on_b["id"]}) as response:
        assert response.status == 422
        assert "does not allow" in (await response.json())["error"]
    async with http.get(f"{b.base_url}/api/v1/generations", headers=headers) as response:
        assert await response.json() == []
    with pytest.raises(MastodonAPIError):
        await b.call(bob.status_post, "a quote anyway", quoted_status_id=seen_on_b["id"])


async def test_a_revoked_authorization_detaches_the_remix_everywhere(three, nodes, http):
    (a, alice), (b, bob), _c = three
    original = await a.call(alice.status_post, "quote me")
    seen_on_b = await _resolve(b, bob, original["uri"])
    quoting = await b.call(bob.status_post, "look at this", quoted_status_id=seen_on_b["id"])
    await nodes.settle()
    assert (await b.call(bob.status, quoting["id"]))["quote"]["state"] == "accepted"
    [on_a] = await a.call(alice.status_quotes, original["id"])
    async with await b.session() as session:
        stamp = (await session.execute(select(Quote.authorization_uri))).scalar_one()
    assert stamp.startswith(f"{a.base_url}/users/alice/quote_authorizations/")
    async with http.get(stamp, headers={"Accept": "application/activity+json"}) as response:
        document = await response.json(content_type=None)
    assert document["type"] == "QuoteAuthorization" and document["interactingObject"] == quoting["uri"]

    revoked = await a.call(alice.status_quote_revoke, original["id"], on_a["id"])
    assert revoked["quote"]["state"] == "revoked" and revoked["quote"]["quoted_status"] is None
    await nodes.settle()
    assert (await a.call(alice.status, original["id"]))["quotes_count"] == 0
    assert await a.call(alice.status_quotes, original["id"]) == []
    after = await b.call(bob.status, quoting["id"])
    assert after["quote"] == {"state": "revoked", "quoted_status": None}
    # The authorization is no longer served, so a server that checks again sees it gone.
    async with http.get(stamp, headers={"Accept": "application/activity+json"}) as response:
        assert response.status == 404


async def test_deleting_a_source_leaves_its_remixes_standing(three, nodes):
    (a, alice), (b, bob), _c = three
    original = await a.call(alice.status_post, "soon gone")
    seen_on_b = await _resolve(b, bob, original["uri"])
    quoting = await b.call(bob.status_post, "still here", quoted_status_id=seen_on_b["id"])
    await nodes.settle()
    await a.call(alice.status_delete, original["id"])
    await nodes.settle()
    after = await b.call(bob.status, quoting["id"])
    assert after["content"].startswith("<p>still here")
    assert after["quote"] == {"state": "deleted", "quoted_status": None}
