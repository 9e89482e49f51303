"""A user deletes her own account: her content goes, her token stops working, her actor
answers 410, her name stays taken, and a signed Delete of her actor reaches the servers that
know her, which remove her there too."""

import pytest
from sqlalchemy import func, select

from node.errors import ValidationError

from storage.models import Account, Post
from tests.api.federated import live_node, signed_in


async def test_deleting_her_account_sends_delete_for_her_actor(nodes, http):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    [alice_on_b] = (await b.call(bob.search_v2, f"@alice@{a.settings.domain}", resolve=True))["accounts"]
    await b.call(bob.account_follow, alice_on_b["id"])
    await nodes.settle()
    await a.call(alice.status_post, "my last mural")
    await nodes.settle()
    assert len(await b.call(bob.timeline_home)) == 1

    headers = {"Authorization": f"Bearer {alice.access_token}"}
    async with http.post(f"{a.base_url}/api/v1/accounts/delete", headers=headers, json={"password": "wrong"}) as response:
        assert response.status == 403 and "password" in (await response.json())["error"]
    async with http.post(f"{a.base_url}/api/v1/accounts/delete", headers=headers, json={}) as response:
        assert response.status == 422 and "password" in (await response.json())["error"]
    async with http.post(f"{a.base_url}/api/v1/accounts/delete", headers=headers,
                         json={"password": "correct horse battery"}) as response:
        assert response.status == 200, await response.text()
    await nodes.settle()

    async with http.get(f"{a.base_url}/api/v1/accounts/verify_credentials", headers=headers) as response:
        assert response.status == 401
    async with http.get(f"{a.base_url}/users/alice", headers={"Accept": "application/activity+json"}) as response:
        assert response.status == 410
    async with await a.session() as session:
        assert (await session.execute(select(func.count()).select_from(Post))).scalar_one() == 0
    async with await b.session() as session:
        remote = (await session.execute(select(Account).where(Account.username == "alice"))).scalar_one()
        assert remote.gone_at is not None
        assert (await session.execute(select(func.count()).select_from(Post))).scalar_one() == 0
    assert await b.call(bob.timeline_home) == []
    with pytest.raises(ValidationError, match="already taken"):  # her name is not free again
        await a.create_user("alice")
