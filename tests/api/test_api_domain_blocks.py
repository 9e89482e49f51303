"""Domain blocks across two nodes through signed HTTP: an admin suspends a server (its posts
and follows purged, its inbox requests refused, nothing delivered to it) and lifts it; a
silenced server is seen only by followers; a user hides a server for herself; the public list
shows what the admin chose."""

import hashlib

import pytest
from mastodon.errors import MastodonNotFoundError
from sqlalchemy import func, select

from node.cli import main
from storage.models import Delivery, Follow, Post
from tests.api.federated import live_node, signed_in
from tests.api.test_api_admin import ADMIN_SCOPES


async def _count(node, model, *where) -> int:
    async with await node.session() as session:
        return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def _two_nodes(nodes, **a_settings):
    """alice and an admin on A, bob on B following alice and followed by her, bob has posted."""
    a, b = await live_node(nodes, "a", **a_settings), await live_node(nodes, "b")
    alice, bob = await signed_in(a, "alice"), await signed_in(b, "bob")
    await a.create_user("root", admin=True)
    admin = await a.password_token("root", scopes=ADMIN_SCOPES)
    [alice_on_b] = (await b.call(bob.search_v2, f"@alice@{a.settings.domain}", resolve=True))["accounts"]
    [bob_on_a] = (await a.call(alice.search_v2, f"@bob@{b.settings.domain}", resolve=True))["accounts"]
    await b.call(bob.account_follow, alice_on_b["id"])
    await a.call(alice.account_follow, bob_on_a["id"])
    await nodes.settle()
    await b.call(bob.status_post, "hello from B")
    await nodes.settle()
    assert await _count(a, Post, Post.local.is_(False)) == 1
    return a, b, alice, bob, admin, bob_on_a["id"]


async def test_a_suspended_domain_can_no_longer_deliver_or_receive(nodes):
    a, b, alice, bob, admin, bob_on_a = await _two_nodes(nodes)
    block = await a.call(admin.admin_create_domain_block, b.settings.domain, severity="suspend",
                         public_comment="spam")
    assert block["severity"] == "suspend" and block["domain"] == b.settings.domain
    # Purged: bob's posts and the follows both ways; bob is suspended on A.
    assert await _count(a, Post, Post.local.is_(False)) == 0
    assert await _count(a, Follow) == 0
    assert (await a.call(admin.admin_account, bob_on_a))["suspended"] is True

    # Nothing is delivered to B any more.
    await a.call(alice.status_post, "not for B")
    await nodes.settle()
    assert await _count(a, Delivery, Delivery.host == b.settings.domain, Delivery.state == "queued") == 0
    assert "<p>not for B</p>" not in [s["content"] for s in await b.call(bob.timeline_home)]
    # B's deliveries are refused at A's inbox.
    await b.call(bob.status_post, "still here")
    await nodes.settle()
    async with await b.session() as session:
        statuses = (await session.execute(select(Delivery.last_status).where(
            Delivery.host == a.settings.domain, Delivery.last_status.is_not(None)))).scalars().all()
    assert 403 in statuses
    assert await _count(a, Post, Post.local.is_(False)) == 0

    await a.call(admin.admin_delete_domain_block, block["id"])
    assert (await a.call(admin.admin_account, bob_on_a))["suspended"] is False
    assert await a.call(admin.admin_domain_blocks) == []


async def test_a_silenced_domain_is_seen_only_by_followers(nodes, monkeypatch, capsys):
    a, b, alice, bob, admin, bob_on_a = await _two_nodes(nodes)
    carol = await signed_in(a, "carol")
    monkeypatch.setenv("MURALIST_DATABASE_URL", a.settings.database_url)
    monkeypatch.setenv("MURALIST_DOMAIN", a.settings.domain)
    monkeypatch.setenv("MURALIST_SCHEME", "http")
    assert await a.call(main, ["admin", "domain-block", b.settings.domain, "--severity", "silence"]) == 0
    assert f"silence {b.settings.domain}" in capsys.readouterr().out
    assert await a.call(carol.timeline_public) == []
    assert [s["content"] for s in await a.call(alice.timeline_home)] == ["<p>hello from B</p>"]
    assert await a.call(main, ["admin", "domain-block", "not a domain"]) == 1
    assert "is not a domain name" in capsys.readouterr().err


async def test_a_user_hides_a_domain_for_herself(nodes, http):
    a, b, alice, bob, admin, bob_on_a = await _two_nodes(nodes)
    await a.call(alice.domain_block, b.settings.domain)
    await nodes.settle()
    assert await a.call(alice.domain_blocks) == [b.settings.domain]
    [relationship] = await a.call(alice.account_relationships, [bob_on_a])
    assert relationship["domain_blocking"] is True and relationship["followed_by"] is False
    assert await a.call(alice.timeline_public) == []
    # bob's follow of alice ended on B too (a Reject went there).
    assert await _count(b, Follow, Follow.account_id == int((await b.call(bob.me))["id"])) == 0
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    async with http.post(f"{a.base_url}/api/v1/domain_blocks", headers=headers,
                         json={"domain": "https://bad/"}) as response:
        assert response.status == 422 and "not a domain" in (await response.json())["error"]
    await a.call(alice.domain_unblock, b.settings.domain)
    assert await a.call(alice.domain_blocks) == []


async def test_public_list_of_blocked_domains(start_node, http):
    node = await start_node(show_domain_blocks="all")
    await node.create_user("root", admin=True)
    admin = await node.password_token("root", scopes=ADMIN_SCOPES)
    await node.call(admin.admin_create_domain_block, "spam.example", severity="suspend", public_comment="spam",
                    obfuscate=True)
    async with http.get(f"{node.base_url}/api/v1/instance/domain_blocks") as response:
        [entry] = await response.json()
    assert entry["domain"] == "spam****mple" and entry["severity"] == "suspend" and entry["comment"] == "spam"
    assert entry["digest"] == hashlib.sha256(b"spam.example").hexdigest()


async def test_public_list_is_hidden_by_default(node):
    with pytest.raises(MastodonNotFoundError):
        await node.call(node.client().instance_domain_blocks)
