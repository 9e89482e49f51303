"""Likes, boosts, follows and profile edits: rows, counters, notifications and the activities
queued for remote inboxes (Undo, Accept and Reject embed what they answer)."""

import pytest
from sqlalchemy import select

from activitypub.context import PUBLIC
from node import actions
from node.errors import ValidationError
from storage.errors import NotFound
from storage.models import Favourite, Follow, HomeFeedEntry, Notification, Post
from storage.repositories import follows as follow_repo
from tests.outbox.outbox_support import add_follow, deliveries, local_user, remote_account

BOB_INBOX = "https://remote.example/users/bob/inbox"


@pytest.fixture
async def cast(session, settings):
    alice = await local_user(session, settings, "alice")
    carol = await local_user(session, settings, "carol")
    bob = await remote_account(session, "bob")
    erin = await remote_account(session, "erin", "other.example")
    await add_follow(session, erin, alice)
    remote_post = Post(account_id=bob.id, object_uri="https://remote.example/notes/1", local=False)
    session.add(remote_post)
    await session.flush()
    return dict(alice=alice, bob=bob, carol=carol, erin=erin, remote_post=remote_post)


async def notifications(session, account) -> list[str]:
    rows = await session.execute(select(Notification.type).where(Notification.account_id == account.id))
    return list(rows.scalars())


async def test_like_and_unlike_a_remote_post(session, settings, cast):
    alice, post = cast["alice"], cast["remote_post"]
    favourite = await actions.favourite(session, settings, alice, post)
    again = await actions.favourite(session, settings, alice, post)
    await session.commit()
    assert again.id == favourite.id and post.favourites_count == 1
    assert favourite.like_uri == f"{alice.actor_uri}#likes/{favourite.id}"
    [(inbox, like)] = await deliveries(session)
    assert inbox == BOB_INBOX
    assert like == {"@context": "https://www.w3.org/ns/activitystreams", "id": favourite.like_uri, "type": "Like",
                    "actor": alice.actor_uri, "object": post.object_uri}
    await actions.unfavourite(session, settings, alice, post)
    await session.commit()
    assert post.favourites_count == 0
    assert (await session.execute(select(Favourite))).scalars().all() == []
    [(inbox, undo)] = await deliveries(session, "Undo")
    assert inbox == BOB_INBOX and undo["actor"] == alice.actor_uri
    assert undo["object"] == {key: value for key, value in like.items() if key != "@context"}


async def test_like_a_local_post_notifies_and_sends_nothing(session, settings, cast):
    post = await actions.create_post(session, settings, cast["carol"], text="local")
    await actions.favourite(session, settings, cast["alice"], post)
    assert post.favourites_count == 1
    assert await notifications(session, cast["carol"]) == ["favourite"]
    assert await deliveries(session, "Like") == []


async def test_cannot_like_what_you_cannot_see(session, settings, cast):
    post = await actions.create_post(session, settings, cast["carol"], text="secret", visibility="private")
    with pytest.raises(NotFound):
        await actions.favourite(session, settings, cast["alice"], post)


async def test_boost_and_unboost(session, settings, cast):
    alice, post = cast["alice"], cast["remote_post"]
    boost = await actions.boost(session, settings, alice, post)
    assert (await actions.boost(session, settings, alice, post)).id == boost.id
    await session.commit()
    assert boost.reblog_of_id == post.id and boost.visibility == "public" and post.reblogs_count == 1
    assert boost.object_uri == f"{alice.actor_uri}/statuses/{boost.id}/activity"
    feed = await session.execute(select(HomeFeedEntry.post_id).where(HomeFeedEntry.account_id == alice.id))
    assert boost.id in set(feed.scalars())
    sent = await deliveries(session, "Announce")
    # Announce fans out, so shared inboxes are preferred (one POST per server).
    assert sorted(inbox for inbox, _ in sent) == ["https://other.example/inbox", "https://remote.example/inbox"]
    announce = sent[0][1]
    assert announce["id"] == boost.object_uri and announce["object"] == post.object_uri
    assert announce["to"] == [PUBLIC] and announce["cc"] == [alice.followers_uri, cast["bob"].actor_uri]
    assert announce["published"].endswith("Z")
    original = await actions.unboost(session, settings, alice, post)
    await session.commit()
    assert original.id == post.id and post.reblogs_count == 0
    assert await session.get(Post, boost.id) is None
    undos = await deliveries(session, "Undo")
    assert len(undos) == 2 and undos[0][1]["object"]["id"] == boost.object_uri
    assert undos[0][1]["object"]["type"] == "Announce"


async def test_boost_of_a_local_post_notifies(session, settings, cast):
    post = await actions.create_post(session, settings, cast["carol"], text="boost me")
    boost = await actions.boost(session, settings, cast["alice"], post)
    assert await notifications(session, cast["carol"]) == ["reblog"]
    await actions.delete_post(session, settings, cast["alice"], boost)  # deleting a boost undoes it
    assert post.reblogs_count == 0


async def test_private_posts_cannot_be_boosted(session, settings, cast):
    post = await actions.create_post(session, settings, cast["alice"], text="mine", visibility="private")
    with pytest.raises(ValidationError):
        await actions.boost(session, settings, cast["alice"], post)


async def test_follow_and_unfollow_a_remote_account(session, settings, cast):
    alice, bob = cast["alice"], cast["bob"]
    follow = await actions.follow(session, settings, alice, bob)
    await session.commit()
    assert follow.state == "requested" and follow.follow_uri == f"{alice.actor_uri}#follows/{follow.id}"
    [(inbox, sent)] = await deliveries(session, "Follow")
    assert inbox == BOB_INBOX
    assert sent == {"@context": "https://www.w3.org/ns/activitystreams", "id": follow.follow_uri, "type": "Follow",
                    "actor": alice.actor_uri, "object": bob.actor_uri}
    await actions.unfollow(session, settings, alice, bob)
    await session.commit()
    assert await follow_repo.get_follow(session, alice.id, bob.id) is None
    [(inbox, undo)] = await deliveries(session, "Undo")
    assert inbox == BOB_INBOX
    assert undo["object"] == {key: value for key, value in sent.items() if key != "@context"}


async def test_follow_local_accounts(session, settings, cast):
    alice, carol = cast["alice"], cast["carol"]
    earlier = await actions.create_post(session, settings, carol, text="before the follow")
    follow = await actions.follow(session, settings, alice, carol)
    assert follow.state == "accepted"
    assert await notifications(session, carol) == ["follow"]
    feed = await session.execute(select(HomeFeedEntry.post_id).where(HomeFeedEntry.account_id == alice.id))
    assert earlier.id in set(feed.scalars())
    locked = await local_user(session, settings, "locked", locked=True)
    request = await actions.follow(session, settings, alice, locked)
    assert request.state == "requested"
    assert await notifications(session, locked) == ["follow_request"]
    await actions.authorize_follow_request(session, settings, locked, alice)
    assert request.state == "accepted"
    assert await deliveries(session) == []
    with pytest.raises(ValidationError):
        await actions.follow(session, settings, alice, alice)


async def test_answering_a_remote_follow_request(session, settings, cast):
    locked = await local_user(session, settings, "locked", locked=True)
    bob, erin = cast["bob"], cast["erin"]
    for follower in (bob, erin):
        session.add(Follow(account_id=follower.id, target_account_id=locked.id, state="requested",
                           follow_uri=f"{follower.actor_uri}/follows/1"))
    await session.flush()
    await actions.authorize_follow_request(session, settings, locked, bob)
    await actions.reject_follow_request(session, settings, locked, erin)
    await session.commit()
    [(inbox, accept)] = await deliveries(session, "Accept")
    assert inbox == BOB_INBOX and accept["actor"] == locked.actor_uri
    assert accept["object"] == {"id": f"{bob.actor_uri}/follows/1", "type": "Follow", "actor": bob.actor_uri,
                                "object": locked.actor_uri}
    [(inbox, reject)] = await deliveries(session, "Reject")
    assert inbox == "https://other.example/users/erin/inbox"
    assert reject["object"]["id"] == f"{erin.actor_uri}/follows/1"
    assert (await follow_repo.get_follow(session, bob.id, locked.id)).state == "accepted"
    assert await follow_repo.get_follow(session, erin.id, locked.id) is None
    with pytest.raises(NotFound):
        await actions.authorize_follow_request(session, settings, locked, erin)


async def test_update_profile(session, settings, cast):
    alice = cast["alice"]
    await actions.update_profile(session, settings, alice, display_name="Alice A.", note="I paint\n\nwith #light",
                                 fields=[{"name": "Site", "value": "https://alice.example"}], bot=True,
                                 avatar_path=f"ab/cd/abcd{'0' * 60}.png")
    await session.commit()
    assert alice.display_name == "Alice A." and alice.bot
    assert alice.note.startswith("<p>I paint</p><p>with <a")
    [(inbox, update)] = await deliveries(session, "Update")
    assert inbox == "https://other.example/inbox"
    person = update["object"]
    assert person["id"] == alice.actor_uri and person["type"] == "Service" and person["name"] == "Alice A."
    assert person["icon"]["url"] == f"https://node.test/media/ab/cd/abcd{'0' * 60}.png"
    assert person["attachment"][0]["name"] == "Site"
    assert 'href="https://alice.example"' in person["attachment"][0]["value"]
    assert person["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY")
    with pytest.raises(ValidationError):
        await actions.update_profile(session, settings, alice, display_name="x" * 31)
