"""The admin API through the real Mastodon.py client, and the same moderation from the shell:
pending sign-ups approved (API and `muralist admin approve`) and rejected, accounts suspended,
silenced and restored, and the admin role and scopes that gate it all."""

import pytest
from mastodon.errors import MastodonAPIError
from sqlalchemy import select

from node.cli import main
from storage.models import Account, User
from tests.api.conftest import PASSWORD, SCOPES

ADMIN_SCOPES = [*SCOPES, "admin:read", "admin:write"]


async def _admin(node):
    await node.create_user("root", admin=True)
    return await node.password_token("root", scopes=ADMIN_SCOPES)


async def _sign_up(node, username: str):
    client_id, client_secret = await node.register_app()
    signup = node.client(client_id=client_id, client_secret=client_secret)
    await node.call(signup.create_account, username, PASSWORD, f"{username}@example.org", agreement=True,
                    reason="I paint murals")
    return signup


async def test_a_pending_sign_up_is_approved_through_the_admin_api(start_node):
    node = await start_node(registrations="approval")
    admin = await _admin(node)
    zoe = await _sign_up(node, "zoe")
    with pytest.raises(MastodonAPIError) as waiting:
        await node.call(zoe.account_verify_credentials)
    assert waiting.value.args[1] == 403

    [pending] = await node.call(admin.admin_accounts_v2, status="pending")
    assert pending["username"] == "zoe" and pending["approved"] is False and pending["email"] == "zoe@example.org"
    approved = await node.call(admin.admin_account_approve, pending["id"])
    assert approved["approved"] is True
    assert (await node.call(zoe.account_verify_credentials))["username"] == "zoe"
    assert await node.call(admin.admin_accounts_v2, status="pending") == []
    with pytest.raises(MastodonAPIError) as twice:  # approving again is a clear mistake
        await node.call(admin.admin_account_approve, pending["id"])
    assert twice.value.args[1] == 422


async def test_a_pending_sign_up_is_rejected(start_node):
    node = await start_node(registrations="approval")
    admin = await _admin(node)
    await _sign_up(node, "spam")
    [pending] = await node.call(admin.admin_accounts_v2, status="pending")
    await node.call(admin.admin_account_reject, pending["id"])
    async with await node.session() as session:
        assert (await session.execute(select(Account).where(Account.username == "spam"))).first() is None
        assert (await session.execute(select(User).where(User.email == "spam@example.org"))).first() is None


async def test_a_pending_sign_up_is_approved_from_the_shell(start_node, monkeypatch, capsys):
    node = await start_node(registrations="approval")
    zoe = await _sign_up(node, "zoe")
    monkeypatch.setenv("MURALIST_DATABASE_URL", node.settings.database_url)
    monkeypatch.setenv("MURALIST_DOMAIN", node.settings.domain)
    monkeypatch.setenv("MURALIST_SCHEME", "http")
    assert await node.call(main, ["admin", "approve", "nobody"]) == 1
    assert "no account 'nobody'" in capsys.readouterr().err
    assert await node.call(main, ["admin", "approve", "zoe"]) == 0
    assert "approved zoe" in capsys.readouterr().out
    assert (await node.call(zoe.account_verify_credentials))["username"] == "zoe"
    assert await node.call(main, ["admin", "approve", "zoe"]) == 1
    assert "not waiting for approval" in capsys.readouterr().err


async def test_suspend_silence_and_restore_a_local_account(node):
    admin = await _admin(node)
    await node.create_user("mallory")
    mallory = await node.password_token("mallory")
    await node.create_user("alice")
    alice = await node.password_token("alice")
    post = await node.call(mallory.status_post, "buy my prints")
    mallory_id = (await node.call(mallory.me))["id"]

    await node.call(admin.admin_account_moderate, mallory_id, "silence")
    assert post["id"] not in [s["id"] for s in await node.call(alice.timeline_public)]
    await node.call(alice.account_follow, mallory_id)  # a follower still sees a silenced account
    assert post["id"] in [s["id"] for s in await node.call(alice.timeline_public)]
    await node.call(admin.admin_account_unsilence, mallory_id)

    await node.call(admin.admin_account_moderate, mallory_id, "suspend")
    entity = await node.call(admin.admin_account, mallory_id)
    assert entity["suspended"] is True and entity["silenced"] is False
    with pytest.raises(MastodonAPIError) as disabled:
        await node.call(mallory.me)
    assert disabled.value.args[1] == 403
    assert post["id"] not in [s["id"] for s in await node.call(alice.timeline_home)]
    [listed] = await node.call(admin.admin_accounts_v2, status="suspended")
    assert listed["id"] == mallory_id

    await node.call(admin.admin_account_unsuspend, mallory_id)
    assert (await node.call(mallory.me))["id"] == mallory_id
    assert post["id"] in [s["id"] for s in await node.call(alice.timeline_home)]


async def test_only_admins_with_admin_scopes_may_moderate(node, http):
    await node.create_user("alice")
    alice_wide = await node.password_token("alice", scopes=ADMIN_SCOPES)
    admin_narrow = None
    await node.create_user("root", admin=True)
    admin_narrow = await node.password_token("root")
    for client in (alice_wide, admin_narrow):
        with pytest.raises(MastodonAPIError) as refused:
            await node.call(client.admin_accounts_v2)
        assert refused.value.args[1] == 403
    admin = await node.password_token("root", scopes=ADMIN_SCOPES)
    headers = {"Authorization": f"Bearer {admin.access_token}"}
    alice_id = (await node.call(alice_wide.me))["id"]
    async with http.post(f"{node.base_url}/api/v1/admin/accounts/{alice_id}/action", headers=headers,
                         json={"type": "explode"}) as response:
        assert response.status == 422 and "type" in (await response.json())["error"]
    async with http.get(f"{node.base_url}/api/v2/admin/accounts?status=sleepy", headers=headers) as response:
        assert response.status == 400 and "status" in (await response.json())["error"]
    assert (await node.call(admin.admin_account, alice_id))["suspended"] is False
