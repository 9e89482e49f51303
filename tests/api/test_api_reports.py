"""Reports through the real Mastodon.py client: a user on B reports alice on A with a post
and asks to forward it; B's admins see it, and A's admins get it as a Flag from B's instance
actor, through signed HTTP, and resolve it. Bad reports change nothing."""

import pytest
from mastodon.errors import MastodonAPIError
from sqlalchemy import func, select

from storage.models import Report
from tests.api.federated import live_node, signed_in
from tests.api.test_api_admin import ADMIN_SCOPES


async def _reports(node) -> int:
    async with await node.session() as session:
        return (await session.execute(select(func.count()).select_from(Report))).scalar_one()


async def test_a_forwarded_report_reaches_the_other_nodes_admins(nodes):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    await a.create_user("root", admin=True)
    admin_a = await a.password_token("root", scopes=ADMIN_SCOPES)
    await b.create_user("root", admin=True)
    admin_b = await b.password_token("root", scopes=ADMIN_SCOPES)
    post = await a.call(alice.status_post, "an image stolen from someone else")
    [found] = (await b.call(bob.search_v2, post["url"], resolve=True))["statuses"]

    report = await b.call(bob.report, found["account"]["id"], status_ids=[found["id"]],
                          comment="not her work", forward=True, category="violation")
    assert report["forwarded"] is True and report["status_ids"] == [found["id"]]
    [local_copy] = await b.call(admin_b.admin_reports)
    assert local_copy["comment"] == "not her work" and local_copy["account"]["username"] == "bob"
    await nodes.settle()

    [flagged] = await a.call(admin_a.admin_reports)
    assert flagged["comment"] == "not her work"
    assert flagged["target_account"]["username"] == "alice"
    assert flagged["account"]["account"]["acct"] == b.settings.domain.split(":")[0] + "@" + b.settings.domain
    assert [status["id"] for status in flagged["statuses"]] == [post["id"]]
    resolved = await a.call(admin_a.admin_report_resolve, flagged["id"])
    assert resolved["action_taken"] is True and resolved["action_taken_by_account"]["username"] == "root"
    assert await a.call(admin_a.admin_reports) == []
    assert len(await a.call(admin_a.admin_reports, resolved=True)) == 1


async def test_a_report_that_is_not_forwarded_stays_here(nodes):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    [alice_on_b] = (await b.call(bob.search_v2, f"@alice@{a.settings.domain}", resolve=True))["accounts"]
    await b.call(bob.report, alice_on_b["id"], comment="rude")
    await nodes.settle()
    assert await _reports(b) == 1 and await _reports(a) == 0


async def test_bad_reports_change_nothing(node, http):
    await node.create_user("alice")
    await node.create_user("bob")
    alice, bob = await node.password_token("alice"), await node.password_token("bob")
    alice_id, bob_id = (await node.call(alice.me))["id"], (await node.call(bob.me))["id"]
    alices_post = await node.call(alice.status_post, "mine")
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    for body, word in (({"account_id": alice_id}, "yourself"), ({"account_id": bob_id, "category": "boring"}, "category"),
                       ({"account_id": bob_id, "status_ids": [alices_post["id"]]}, "status_ids"),
                       ({"comment": "no one"}, "account_id"),
                       ({"account_id": bob_id, "comment": "x" * 1001}, "comment")):
        async with http.post(f"{node.base_url}/api/v1/reports", headers=headers, json=body) as response:
            assert response.status == 422, body
            assert word in (await response.json())["error"]
    with pytest.raises(MastodonAPIError):
        await node.call(alice.report, 123456789)
    assert await _reports(node) == 0
