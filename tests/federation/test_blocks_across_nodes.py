"""Blocks across two nodes through signed HTTP, driven by Mastodon.py on each side: alice on
A blocks bob on B; the Block reaches B, which ends the follows and refuses bob's follow and
like there; alice's Undo lifts it on both sides."""

import pytest
from mastodon.errors import MastodonAPIError, MastodonNotFoundError
from sqlalchemy import func, select

from storage.models import Block, Follow
from tests.api.federated import live_node, signed_in


async def _count(node, *where, model=Block) -> int:
    async with await node.session() as session:
        return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def _remote_id(node, client, acct: str) -> str:
    [account] = (await node.call(client.search_v2, f"@{acct}", resolve=True))["accounts"]
    return account["id"]


async def test_block_federates_and_hides_both_ways(nodes):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    alice_on_b = await _remote_id(b, bob, f"alice@{a.settings.domain}")
    bob_on_a = await _remote_id(a, alice, f"bob@{b.settings.domain}")
    await b.call(bob.account_follow, alice_on_b)
    await a.call(alice.account_follow, bob_on_a)
    await nodes.settle()
    post = await a.call(alice.status_post, "a mural at dusk")
    await nodes.settle()
    [copy] = await b.call(bob.timeline_home)
    assert copy["uri"] == post["uri"]

    await a.call(alice.account_block, bob_on_a)
    await nodes.settle()
    assert await _count(b, Block.block_uri.like(f"{a.base_url}/users/alice#blocks/%")) == 1
    assert await _count(a, model=Follow) == 0 and await _count(b, model=Follow) == 0
    [seen_by_bob] = await b.call(bob.account_relationships, [alice_on_b])
    assert seen_by_bob["blocked_by"] is True and seen_by_bob["following"] is False
    assert await b.call(bob.timeline_home) == []  # her post left his home feed
    with pytest.raises(MastodonNotFoundError):
        await b.call(bob.status_favourite, copy["id"])
    with pytest.raises(MastodonAPIError) as refused:
        await b.call(bob.account_follow, alice_on_b)
    assert refused.value.args[1] == 403

    await a.call(alice.account_unblock, bob_on_a)
    await nodes.settle()
    assert await _count(b) == 0 and await _count(a) == 0
    await b.call(bob.account_follow, alice_on_b)
    await nodes.settle()
    [relationship] = await b.call(bob.account_relationships, [alice_on_b])
    assert relationship["following"] is True and relationship["blocked_by"] is False
