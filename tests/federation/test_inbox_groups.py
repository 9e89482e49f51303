"""A busy peer's posts are stored in groups (node/federation/grouped.py) with the same
outcome as one at a time: home feeds, mentions and their notifications, replies counted,
a post deleted before it arrived left out, the same post twice stored once, and anything the
group cannot take (a quote) handled alone."""

import pytest
from sqlalchemy import func, select

from node import actions, context
from storage.models import Account, HomeFeedEntry, InboxItem, Mention, Notification, Post

from tests.peer import Peer

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
async def peer():
    server = await Peer().start()
    yield server
    await server.close()


def _create(actor, n: int, **note) -> dict:
    body = {"id": f"{actor.uri}/statuses/{n}", "type": "Note", "attributedTo": actor.uri, "to": [PUBLIC],
            "cc": [f"{actor.uri}/followers"], "content": f"<p>post {n}</p>", **note}
    return {"id": f"{body['id']}/activity", "type": "Create", "actor": actor.uri, "object": body}


async def _count(node, model, *where) -> int:
    async with node.session() as session:
        return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def test_a_group_of_creates_lands_as_one_at_a_time_would(nodes, peer, monkeypatch):
    node = await nodes.start("a")
    alice = await node.create_user("alice")
    carol = await node.create_user("carol")
    bob, dora = peer.add_actor("bob"), peer.add_actor("dora")
    # bob is known (his Follow of alice stored him) and alice follows him: his posts can go in groups.
    follow = {"id": f"{bob.uri}#f", "type": "Follow", "actor": bob.uri, "object": alice.actor_uri}
    assert (await peer.send(bob, f"{node.base_url}/inbox", follow)).status == 202
    await nodes.settle()
    settings = node.app[context.SETTINGS]
    async with node.session() as session:
        them = (await session.execute(select(Account).where(Account.actor_uri == bob.uri))).scalar_one()
        row = await actions.follow(session, settings, await session.get(Account, alice.id), them)
        await actions.accept_follow(session, settings, row)
        local = await actions.create_post(session, settings, await session.get(Account, carol.id), text="carol's post")
        await session.commit()
    await nodes.settle()

    gone = _create(bob, 5)
    await peer.send(bob, f"{node.base_url}/inbox", {"id": f"{gone['object']['id']}#delete", "type": "Delete",
                                                      "actor": bob.uri, "object": gone["object"]["id"]})
    await nodes.settle()
    activities = [
        _create(bob, 1),
        _create(bob, 2, content="<p>hi @carol</p>", tag=[{"type": "Mention", "href": carol.actor_uri}]),
        _create(bob, 3, inReplyTo=local.object_uri),
        _create(bob, 1),  # the same post again, under the same activity id: stored once
        gone,  # deleted before it arrived
        _create(bob, 6, quote=local.object_uri),  # a quote: one at a time
        _create(dora, 1),  # another actor (stored when her key was looked up): in the group too
    ]
    groups = []
    receive_posts = actions.receive_posts

    async def counted(session, settings, arrivals):
        groups.append(len(arrivals))
        return await receive_posts(session, settings, arrivals)

    monkeypatch.setattr(actions, "receive_posts", counted)
    for activity in activities:
        assert (await peer.send(bob if activity["actor"] == bob.uri else dora, f"{node.base_url}/inbox",
                                activity)).status == 202
    await nodes.settle()

    async with node.session() as session:
        states = list((await session.execute(select(InboxItem.state))).scalars())
        stored = set((await session.execute(select(Post.object_uri).where(Post.local.is_(False)))).scalars())
        parent = await session.get(Post, local.id)
    assert set(states) == {"done"}
    assert groups == [5], "the embedded posts that quote nothing went as one group"
    assert stored == {f"{bob.uri}/statuses/{n}" for n in (1, 2, 3, 6)} | {f"{dora.uri}/statuses/1"}
    assert parent.replies_count == 1
    for n in (1, 2, 3, 6):
        uri = f"{bob.uri}/statuses/{n}"
        in_feed = select(Post.id).where(Post.object_uri == uri).scalar_subquery()
        assert await _count(node, HomeFeedEntry, HomeFeedEntry.account_id == alice.id,
                            HomeFeedEntry.post_id == in_feed) == 1, uri
    assert await _count(node, Mention, Mention.account_id == carol.id) == 1
    assert await _count(node, Notification, Notification.account_id == carol.id,
                        Notification.type == "mention") == 1
