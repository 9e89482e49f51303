"""The inbox and the client API share one implementation of each social effect: the same
rules refuse the same things, and the same event leaves the same rows and notifications
whether a local user did it or a remote server sent it."""

import pytest
from sqlalchemy import func, select, update

from node import actions, context
from node.api.notifications import render_notifications
from storage.errors import NotFound
from storage.models import Account, Favourite, Follow, InboxItem, Notification, Post, PostEdit

from tests.peer import Peer

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = f"{AS}#Public"


@pytest.fixture
async def peer():
    server = await Peer().start()
    yield server
    await server.close()


async def _scalar(node, query):
    async with node.session() as session:
        return (await session.execute(query)).scalar_one()


async def _post(node, account, text: str, **kw) -> Post:
    async with node.session() as session:
        author = await session.get(Account, account.id)
        post = await actions.create_post(session, node.app[context.SETTINGS], author, text=text, **kw)
        await session.commit()
        return post


async def _inbox_item(node, activity_uri: str) -> InboxItem:
    async with node.session() as session:
        return (await session.execute(select(InboxItem).where(InboxItem.activity_uri == activity_uri))).scalar_one()


async def _follow_from(peer, nodes, node, remote, target) -> None:
    follow = {"@context": AS, "id": f"{remote.uri}#follows/{target.username}", "type": "Follow",
              "actor": remote.uri, "object": target.actor_uri}
    assert (await peer.send(remote, f"{node.base_url}/inbox", follow)).status == 202
    await nodes.settle()


async def test_remote_like_of_followers_only_post_is_refused_like_a_local_one(nodes, peer):
    node = await nodes.start("a")
    alice = await node.create_user("alice")
    carol = await node.create_user("carol")
    bob = peer.add_actor("bob")
    secret = await _post(node, alice, "for my followers", visibility="private")

    # A local non-follower cannot favourite it: the post is "not found" to her.
    async with node.session() as session:
        with pytest.raises(NotFound):
            await actions.favourite(session, node.app[context.SETTINGS], await session.get(Account, carol.id),
                                    await session.get(Post, secret.id))

    # Neither can a remote non-follower: the Like is refused for the same reason, and recorded as such.
    like = {"@context": AS, "id": f"{bob.uri}#likes/1", "type": "Like", "actor": bob.uri, "object": secret.object_uri}
    assert (await peer.send(bob, f"{node.base_url}/inbox", like)).status == 202
    await nodes.settle()
    item = await _inbox_item(node, like["id"])
    assert item.state == "failed" and "refused" in item.last_error and "not found" in item.last_error
    assert await _scalar(node, select(func.count()).select_from(Favourite)) == 0
    assert await _scalar(node, select(func.count()).select_from(Notification)) == 0
    assert await _scalar(node, select(Post.favourites_count).where(Post.id == secret.id)) == 0

    # Once bob follows alice, his Like counts, as a local follower's favourite would.
    await _follow_from(peer, nodes, node, bob, alice)
    like_again = {**like, "id": f"{bob.uri}#likes/2"}
    assert (await peer.send(bob, f"{node.base_url}/inbox", like_again)).status == 202
    await nodes.settle()
    assert (await _inbox_item(node, like_again["id"])).state == "done"
    assert await _scalar(node, select(Post.favourites_count).where(Post.id == secret.id)) == 1


async def test_remote_follow_of_a_local_service_actor(nodes, peer):
    node = await nodes.start("a")
    studio = await node.create_user("studio")
    async with node.session() as session:
        await session.execute(update(Account).where(Account.id == studio.id).values(actor_type="Service", bot=True))
        await session.commit()
    bob = peer.add_actor("bob")
    await _follow_from(peer, nodes, node, bob, studio)
    state = await _scalar(node, select(Follow.state).where(Follow.target_account_id == studio.id))
    assert state == "accepted"
    accepts = [a for a in peer.received if a["type"] == "Accept"]
    assert len(accepts) == 1 and accepts[0]["actor"] == studio.actor_uri
    # The instance actor is nobody's friend, whoever asks.
    async with node.session() as session:
        instance = (await session.execute(select(Account).where(Account.actor_type == "Application",
                                                                Account.domain.is_(None)))).scalar_one()
    follow = {"@context": AS, "id": f"{bob.uri}#follows/instance", "type": "Follow", "actor": bob.uri,
              "object": instance.actor_uri}
    assert (await peer.send(bob, f"{node.base_url}/inbox", follow)).status == 202
    await nodes.settle()
    assert (await _inbox_item(node, follow["id"])).state == "failed"
    assert await _scalar(node, select(func.count()).select_from(Follow)) == 1


def _comparable(entity: dict) -> dict:
    """A notification entity without what differs between any two events: its id, its time
    and who sent it (the sender's entity is compared by its keys)."""
    status = entity.get("status")
    return {"type": entity["type"], "status_id": status["id"] if status else None,
            "account_keys": sorted(entity["account"]), "keys": sorted(entity)}


async def _notifications(node, account) -> list[dict]:
    async with node.session() as session:
        rows = list((await session.execute(
            select(Notification).where(Notification.account_id == account.id).order_by(Notification.id)
        )).scalars())
        viewer = await session.get(Account, account.id)
        return await render_notifications(session, node.app[context.URLS], viewer, rows)


async def test_inbox_and_api_make_identical_notifications(nodes, peer):
    node = await nodes.start("a")
    settings = node.app[context.SETTINGS]
    alice = await node.create_user("alice")
    carol = await node.create_user("carol")
    bob = peer.add_actor("bob")
    post = await _post(node, alice, "look")

    # carol, a local user, follows, favourites, boosts and mentions through the actions the API calls.
    async with node.session() as session:
        me, target = await session.get(Account, carol.id), await session.get(Account, alice.id)
        original = await session.get(Post, post.id)
        await actions.follow(session, settings, me, target)
        await actions.favourite(session, settings, me, original)
        await actions.boost(session, settings, me, original)
        await session.commit()
    await _post(node, carol, f"hi @alice@{node.domain}")
    local = await _notifications(node, alice)

    # bob does the same from another server.
    async with node.session() as session:
        await session.execute(Notification.__table__.delete())
        await session.commit()
    await _follow_from(peer, nodes, node, bob, alice)
    for activity in (
        {"id": f"{bob.uri}#likes/1", "type": "Like", "object": post.object_uri},
        {"id": f"{bob.uri}/statuses/9/activity", "type": "Announce", "object": post.object_uri,
         "to": [PUBLIC], "cc": [f"{bob.uri}/followers"]},
        {"id": f"{bob.uri}/statuses/10/activity", "type": "Create", "to": [PUBLIC], "object": {
            "id": f"{bob.uri}/statuses/10", "type": "Note", "attributedTo": bob.uri, "to": [PUBLIC],
            "content": "<p>hi @alice</p>", "tag": [{"type": "Mention", "href": alice.actor_uri}]}},
    ):
        activity = {"@context": AS, "actor": bob.uri, **activity}
        assert (await peer.send(bob, f"{node.base_url}/inbox", activity)).status == 202
        await nodes.settle()
    remote = await _notifications(node, alice)

    assert [n["type"] for n in local] == ["follow", "favourite", "reblog", "mention"]
    assert [_comparable(n) for n in remote][:3] == [_comparable(n) for n in local][:3]
    # The mention names each side's own post; everything else about it is alike.
    assert {**_comparable(remote[3]), "status_id": None} == {**_comparable(local[3]), "status_id": None}
    assert remote[3]["status"]["account"]["acct"] == f"bob@127.0.0.1:{peer.port}"
    assert await _scalar(node, select(Post.favourites_count).where(Post.id == post.id)) == 2
    assert await _scalar(node, select(Post.reblogs_count).where(Post.id == post.id)) == 2


async def test_remote_quote_notifies_and_remote_edit_keeps_history(nodes, peer):
    node = await nodes.start("a")
    alice = await node.create_user("alice")
    bob = peer.add_actor("bob")
    post = await _post(node, alice, "an image worth remixing")
    await _follow_from(peer, nodes, node, peer.actors["bob"], alice)
    note = {"id": f"{bob.uri}/statuses/20", "type": "Note", "attributedTo": bob.uri, "to": [PUBLIC],
            "content": "<p>my take</p>", "quote": post.object_uri, "published": "2026-12-01T10:00:00Z"}
    create = {"@context": AS, "id": f"{note['id']}/activity", "type": "Create", "actor": bob.uri, "object": note}
    assert (await peer.send(bob, f"{node.base_url}/inbox", create)).status == 202
    await nodes.settle()
    # A quote waits for its QuoteRequest (FEP-044f); alice hears of it once it is accepted.
    assert [n["type"] for n in await _notifications(node, alice)] == ["follow"]
    request = {"@context": AS, "id": f"{bob.uri}/quote_requests/1", "type": "QuoteRequest", "actor": bob.uri,
               "object": post.object_uri, "instrument": note}
    assert (await peer.send(bob, f"{node.base_url}/users/alice/inbox", request)).status == 202
    await nodes.settle()
    assert [n["type"] for n in await _notifications(node, alice)] == ["follow", "quote"]
    [accept] = [a for a in peer.received if a["type"] == "Accept" and a["object"]["id"] == request["id"]]
    assert accept["result"].startswith(f"{alice.actor_uri}/quote_authorizations/")

    edited = {**note, "content": "<p>my better take</p>", "updated": "2026-12-01T11:00:00Z"}
    update_activity = {"@context": AS, "id": f"{note['id']}#updates/1", "type": "Update", "actor": bob.uri,
                       "object": edited}
    assert (await peer.send(bob, f"{node.base_url}/inbox", update_activity)).status == 202
    await nodes.settle()
    async with node.session() as session:
        stored = (await session.execute(select(Post).where(Post.object_uri == note["id"]))).scalar_one()
        versions = list((await session.execute(
            select(PostEdit.content).where(PostEdit.post_id == stored.id).order_by(PostEdit.id))).scalars())
    assert "better" in stored.content
    assert ["take" in v and "better" not in v for v in versions] == [True, False]
