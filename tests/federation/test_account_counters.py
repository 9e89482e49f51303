"""Account counters are kept on write by the database (migration 0008): after posts, boosts,
direct messages, deletions, follows, requests, acceptances, unfollows and a remote account's
deletion, every column equals what counting the rows says."""

from sqlalchemy import func, select

from node import actions, context
from storage.models import Account, Follow, Post

from tests.peer import Peer

COUNTS = {
    "statuses_count": lambda a: select(func.count()).select_from(Post).where(Post.account_id == a,
                                                                          Post.visibility != "direct"),
    "followers_count": lambda a: select(func.count()).select_from(Follow).where(Follow.target_account_id == a,
                                                                              Follow.state == "accepted"),
    "following_count": lambda a: select(func.count()).select_from(Follow).where(Follow.account_id == a,
                                                                              Follow.state == "accepted"),
}


async def _check(node) -> list:
    async with node.session() as session:
        accounts = list((await session.execute(select(Account))).scalars())
        seen = []
        for account in accounts:
            for name, query in COUNTS.items():
                counted = (await session.execute(query(account.id))).scalar_one()
                assert getattr(account, name) == counted, (account.acct, name, getattr(account, name), counted)
            seen.append((account.username, account.statuses_count, account.followers_count))
        return seen


async def test_counters_follow_every_write(nodes):
    node = await nodes.start("a")
    settings = node.app[context.SETTINGS]
    for name in ("alice", "bob", "carol"):
        await node.create_user(name)
    peer = await Peer().start()
    try:
        dora = peer.add_actor("dora")
        follow = {"id": f"{dora.uri}#f", "type": "Follow", "actor": dora.uri,
                  "object": f"{node.base_url}/users/alice"}
        assert (await peer.send(dora, f"{node.base_url}/inbox", follow)).status == 202
        note = {"id": f"{dora.uri}/statuses/1", "type": "Note", "attributedTo": dora.uri,
                "to": ["https://www.w3.org/ns/activitystreams#Public"], "content": "<p>hi</p>"}
        await peer.send(dora, f"{node.base_url}/inbox", {"id": f"{note['id']}/a", "type": "Create",
                                                           "actor": dora.uri, "object": note})
        await nodes.settle()
        async with node.session() as session:
            by = {a.username: a for a in (await session.execute(select(Account))).scalars()}
            alice, bob, carol = by["alice"], by["bob"], by["carol"]
            await session.execute(Account.__table__.update().where(Account.id == bob.id).values(locked=True))
            await session.refresh(bob)
            first = await actions.create_post(session, settings, alice, text="one")
            await actions.create_post(session, settings, alice, text="@bob psst", visibility="direct")
            await actions.boost(session, settings, carol, first)
            await actions.follow(session, settings, carol, alice)
            request = await actions.follow(session, settings, alice, bob)  # bob is locked: requested
            await session.commit()
            assert request.state == "requested"
        await _check(node)
        async with node.session() as session:
            alice, bob, carol = [await session.get(Account, x.id) for x in (alice, bob, carol)]
            await actions.authorize_follow_request(session, settings, bob, alice)
            await actions.unfollow(session, settings, carol, alice)
            await actions.delete_post(session, settings, alice, await session.get(Post, first.id))  # takes the boost
            await session.commit()
        await _check(node)
        await peer.send(dora, f"{node.base_url}/inbox", {"id": f"{dora.uri}#delete", "type": "Delete",
                                                           "actor": dora.uri, "object": dora.uri})
        await nodes.settle()
        seen = await _check(node)
        assert ("dora", 0, 0) in seen
    finally:
        await peer.close()
