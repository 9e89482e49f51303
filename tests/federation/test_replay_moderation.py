"""Captured Mastodon moderation payloads (tests/fixtures/mastodon/: Block, Undo{Block}, Flag,
Delete of an actor) replayed through a node's inbox by a peer signing as their actor, with
what each should leave behind."""

import pytest
from sqlalchemy import select

from storage.models import Account, Block, DomainBlock, Follow, InboxItem, Post, Report
from tests.federation.test_replay_fixtures import BASE_POST, make_scene
from tests.peer import Peer


@pytest.fixture
async def peer():
    server = await Peer().start()
    yield server
    await server.close()


async def _item_state(scene, create: dict) -> tuple[str, str]:
    async with scene.node.session() as session:
        item = (await session.execute(select(InboxItem).where(InboxItem.activity_uri == create["id"]))).scalar_one()
    return item.state, item.last_error or ""


async def test_block_and_undo_block_from_mastodon(nodes, peer):
    scene = await make_scene(nodes, peer, "mastodon")
    await scene.send("follow")  # felix follows alice
    block = await scene.send("block")
    remote = await scene.remote_account()
    assert await scene.count(Block, Block.block_uri == block["id"], Block.account_id == remote.id,
                             Block.target_account_id == scene.alice.id) == 1
    assert await scene.count(Follow) == 0

    await scene.send("undo_block")
    assert await scene.count(Block) == 0


async def test_blocked_remote_reply_and_like_are_refused(nodes, peer):
    scene = await make_scene(nodes, peer, "mastodon")
    await scene.send("follow")  # the remote account is stored with its first activity
    remote = await scene.remote_account()
    async with scene.node.session() as session:
        session.add(Block(account_id=scene.alice.id, target_account_id=remote.id,
                          block_uri=f"{scene.alice.actor_uri}#blocks/1"))
        await session.commit()
    reply = scene.load("reply")
    response = await scene.peer.send(scene.actor, scene.node.base_url + "/inbox", reply)
    assert response.status == 202
    await nodes.settle()
    assert await scene.post(reply["object"]["id"]) is None  # refused: nothing stored
    like = scene.load("like")
    await scene.peer.send(scene.actor, scene.node.base_url + "/inbox", like)
    await nodes.settle()
    state, error = await _item_state(scene, like)
    assert state == "failed" and "not found" in error
    assert (await scene.refreshed(scene.local_note)).favourites_count == 0


async def test_actor_delete_from_mastodon_removes_the_account(nodes, peer):
    scene = await make_scene(nodes, peer, "mastodon")
    await scene.send(BASE_POST["mastodon"])
    await scene.send("follow")
    await scene.send("delete_actor")
    account = await scene.remote_account()
    assert account.gone_at is not None
    assert await scene.count(Post, Post.account_id == account.id) == 0


async def test_flag_from_mastodon_becomes_a_report(nodes, peer):
    scene = await make_scene(nodes, peer, "mastodon")
    flag = await scene.send("flag")
    async with scene.node.session() as session:
        report = (await session.execute(select(Report))).scalar_one()
    assert report.flag_uri == flag["id"] and report.target_account_id == scene.alice.id
    assert report.post_ids == [scene.local_note.id] and report.comment.startswith("Spam")
    await scene.send("flag")  # a Flag received twice is one report
    assert await scene.count(Report) == 1


async def _alice_follows_felix(scene) -> None:
    await scene.send("follow")  # stores felix's account
    remote = await scene.remote_account()
    async with scene.node.session() as session:
        session.add(Follow(account_id=scene.alice.id, target_account_id=remote.id, state="accepted",
                           follow_uri=f"{scene.alice.actor_uri}#follows/1"))
        await session.commit()


async def test_move_from_mastodon_moves_local_followers(nodes, peer):
    scene = await make_scene(nodes, peer, "mastodon")
    await _alice_follows_felix(scene)
    new = peer.add_actor("felix_new", alsoKnownAs=[scene.actor.uri])
    await scene.send("move", target=new.uri)
    async with scene.node.session() as session:
        followed = (await session.execute(select(Account.actor_uri).join(
            Follow, Follow.target_account_id == Account.id).where(Follow.account_id == scene.alice.id))).scalars().all()
        old = (await session.execute(select(Account).where(Account.actor_uri == scene.actor.uri))).scalar_one()
    assert followed == [new.uri]
    assert old.moved_to_account_id is not None
    kinds = [(activity["type"], activity.get("object")) for activity in peer.received]
    assert ("Follow", new.uri) in kinds  # the new account is asked
    assert any(kind == "Undo" for kind, _ in kinds)  # the old follow is withdrawn


async def test_move_to_an_account_that_does_not_name_the_old_one_is_refused(nodes, peer):
    scene = await make_scene(nodes, peer, "mastodon")
    await _alice_follows_felix(scene)
    stranger = peer.add_actor("someone_else")
    move = scene.load("move", target=stranger.uri)
    await peer.send(scene.actor, scene.node.base_url + "/inbox", move)
    await nodes.settle()
    state, error = await _item_state(scene, move)
    assert state == "failed" and "alsoKnownAs" in error
    assert await scene.count(Follow, Follow.account_id == scene.alice.id) == 1


async def test_flags_from_a_server_whose_reports_are_rejected_are_dropped(nodes, peer):
    scene = await make_scene(nodes, peer, "mastodon")
    async with scene.node.session() as session:
        session.add(DomainBlock(domain=peer.base.split("//")[1], severity="noop", reject_reports=True))
        await session.commit()
    await scene.send("flag")
    assert await scene.count(Report) == 0
