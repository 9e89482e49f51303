"""Payloads captured from Mastodon, Pixelfed, GoToSocial and Misskey (tests/fixtures/), replayed
through a node's inbox by a peer that signs them as their actor, with the rows each should leave."""

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from storage.models import Account, Favourite, Follow, InboxItem, Mention, Notification, Post, Tombstone
from storage.repositories.posts import list_media
from storage.snowflake import new_id

from tests.fixtures import replay
from tests.peer import Peer, PeerActor

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
async def peer():
    server = await Peer().start()
    yield server
    await server.close()


@dataclass
class Scene:
    """One node with a local user and her post, and one peer speaking as `server`."""

    server: str
    nodes: object
    node: object
    peer: Peer
    actor: PeerActor
    alice: Account
    local_note: Post

    def load(self, name: str, **values) -> dict:
        return replay.load(self.server, name, peer=self.peer.base, actor=self.actor.uri,
                           local_actor=self.alice.actor_uri, local_note=self.local_note.object_uri,
                           public_key_pem=self.actor.public_pem, **values)

    async def send(self, name: str, **values) -> dict:
        """Sign and post the capture, let the node process it, and check that it was handled."""
        activity = self.load(name, **values)
        # Follows go to the personal inbox, the rest to the shared one, as the captures were sent.
        inbox = "/users/alice/inbox" if "follow" in name else "/inbox"
        response = await self.peer.send(self.actor, self.node.base_url + inbox, activity)
        assert response.status == 202, f"{self.server}/{name} answered {response.status}"
        await self.nodes.settle()
        async with self.node.session() as session:
            item = (await session.execute(
                select(InboxItem).where(InboxItem.activity_uri == activity["id"]))).scalar_one()
        assert item.state == "done", f"{self.server}/{name} was not handled:\n{item.last_error}"
        return activity

    def note_uri(self) -> str:
        """The id of the post that this server's Update and Delete captures refer to."""
        return self.load(BASE_POST[self.server])["object"]["id"]

    async def count(self, model, *where) -> int:
        async with self.node.session() as session:
            return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()

    async def post(self, object_uri: str) -> Post | None:
        async with self.node.session() as session:
            return (await session.execute(select(Post).where(Post.object_uri == object_uri))).scalar_one_or_none()

    async def refreshed(self, row):
        async with self.node.session() as session:
            return await session.get(type(row), row.id)

    async def remote_account(self) -> Account:
        async with self.node.session() as session:
            return (await session.execute(
                select(Account).where(Account.actor_uri == self.actor.uri))).scalar_one()


# The capture each server's Update and Delete captures refer to (through {{note}}).
BASE_POST = {"mastodon": "create_note", "pixelfed": "create_image_post", "gotosocial": "create_note",
             "misskey": "create_note"}


async def make_scene(nodes, peer: Peer, server: str) -> Scene:
    node = await nodes.start("a")
    alice = await node.create_user("alice")
    post_id = new_id()
    local_note = Post(id=post_id, account_id=alice.id, local=True, visibility="public",
                      object_uri=f"{alice.actor_uri}/statuses/{post_id}", content="<p>a mural at dusk</p>",
                      to_uris=[PUBLIC], cc_uris=[f"{alice.actor_uri}/followers"])
    async with node.session() as session:
        session.add(local_note)
        await session.commit()
    actor = peer.add_actor({"mastodon": "felix", "pixelfed": "mczachurski", "gotosocial": "the_mighty_zork",
                            "misskey": "aimu"}[server])
    return Scene(server, nodes, node, peer, actor, alice, local_note)


# --- follows -------------------------------------------------------------------------

@pytest.mark.parametrize("server", replay.servers_with("follow"))
async def test_follow_is_accepted_and_undone(nodes, peer, server):
    scene = await make_scene(nodes, peer, server)
    follow = await scene.send("follow")
    assert await scene.count(Follow, Follow.follow_uri == follow["id"], Follow.state == "accepted") == 1
    assert await scene.count(Notification, Notification.type == "follow") == 1
    accepts = [a for a in peer.received if a["type"] == "Accept"]
    assert len(accepts) == 1
    assert accepts[0]["actor"] == scene.alice.actor_uri and accepts[0]["object"]["id"] == follow["id"]

    # Mastodon, GoToSocial and Pixelfed embed a Follow whose id is not the one they sent.
    await scene.send("undo_follow")
    assert await scene.count(Follow) == 0


# --- posts ---------------------------------------------------------------------------

@dataclass
class Expected:
    visibility: str
    tags: list[str]
    text: str
    # (alt text, blurhash, width, height, focus x, focus y) per image
    media: list[tuple]


IMAGE_POSTS = {
    ("mastodon", "create_image_post"): Expected("public", [], "We also need funding", [(
        "The KDE dragons Katie and Konqi stand on either side of a pot filling up with gold coins. Donate!",
        "USQv:h-W-qI-^,W;RPs=^-R%NZxbo#sDobSc", 1500, 1095, 0.0, 0.0)]),
    ("mastodon", "create_hashtag_post"): Expected("public", ["coffee"], "Good Morning!", [
        ("", None, None, None, 0.0, 0.0)]),
    ("pixelfed", "create_image_post"): Expected("public", ["streetphotography", "colorphotography"], "Shadows", [(
        "Stickers on the glass from the stairs, casting long and colourful shadows from the sun.",
        "U9AmM5?GIp9b~UNGoeRk4=E2oeax4;ofxtWB", 1620, 1080, 0.0, 0.0)]),
    ("gotosocial", "create_image_post"): Expected("public", ["welcome"], "first post on the instance", [(
        "Black and white image of some 50's style text saying: Welcome On Board",
        "LIIE|gRj00WB-;j[t7j[4nWBj[Rj", None, None, -0.5, 0.5)]),
    ("misskey", "create_image_post"): Expected("public", [], "meow", [
        ("a grey cat asleep on a keyboard", None, None, None, 0.0, 0.0),
        ("", None, None, None, 0.0, 0.0)]),
}


@pytest.mark.parametrize("server, name", list(IMAGE_POSTS), ids=lambda v: v)
async def test_image_post_is_stored_with_its_media(nodes, peer, server, name):
    scene = await make_scene(nodes, peer, server)
    create = await scene.send(name)
    expected = IMAGE_POSTS[server, name]
    post = await scene.post(create["object"]["id"])
    assert post is not None and not post.local
    assert post.account_id == (await scene.remote_account()).id
    assert post.visibility == expected.visibility
    assert post.tags == expected.tags
    assert expected.text in post.content
    for attribute in ("target=", "translate=", "<script"):
        assert attribute not in post.content

    async with scene.node.session() as session:
        media = (await list_media(session, [post.id])).get(post.id, [])
    got = [(m.description, m.blurhash, m.width, m.height, m.focus_x, m.focus_y) for m in media]
    assert got == expected.media
    assert [m.remote_url for m in media] == [item["url"] for item in create["object"]["attachment"]]


@pytest.mark.parametrize("server", replay.servers_with("create_note"))
async def test_post_mentioning_a_local_user_notifies_her(nodes, peer, server):
    scene = await make_scene(nodes, peer, server)
    create = await scene.send("create_note")
    post = await scene.post(create["object"]["id"])
    # Addressed to the author's followers with Public in cc: Mastodon's "unlisted".
    assert post.visibility == "unlisted"
    assert await scene.count(Mention, Mention.post_id == post.id, Mention.account_id == scene.alice.id) == 1
    assert await scene.count(Notification, Notification.type == "mention", Notification.post_id == post.id) == 1
    if server == "gotosocial":
        assert post.spoiler_text == "CW TEST" and post.sensitive


@pytest.mark.parametrize("server", replay.servers_with("reply"))
async def test_reply_is_linked_to_the_local_post(nodes, peer, server):
    scene = await make_scene(nodes, peer, server)
    create = await scene.send("reply")
    reply = await scene.post(create["object"]["id"])
    assert reply.in_reply_to_id == scene.local_note.id
    assert reply.in_reply_to_account_id == scene.alice.id
    assert (await scene.refreshed(scene.local_note)).replies_count == 1
    assert await scene.count(Notification, Notification.type == "mention", Notification.post_id == reply.id) == 1


@pytest.mark.parametrize("server", replay.servers_with("quote"))
async def test_quote_is_linked_to_the_local_post(nodes, peer, server):
    scene = await make_scene(nodes, peer, server)
    create = await scene.send("quote")
    quote = await scene.post(create["object"]["id"])
    assert quote.quote_of_uri == scene.local_note.object_uri
    assert quote.quote_of_id == scene.local_note.id


@pytest.mark.parametrize("server", replay.servers_with("update_note"))
async def test_update_edits_the_post(nodes, peer, server):
    scene = await make_scene(nodes, peer, server)
    await scene.send(BASE_POST[server])
    before = await scene.post(scene.note_uri())
    assert before.edited_at is None
    update = await scene.send("update_note", note=scene.note_uri())
    after = await scene.post(scene.note_uri())
    assert after.id == before.id
    assert after.content != before.content
    assert after.edited_at is not None
    new_words = {"mastodon": "test2", "gotosocial": "test2", "pixelfed": "Shadows on the stairs"}[server]
    assert new_words in after.content and new_words in update["object"]["content"]


async def test_an_older_update_is_ignored_and_one_of_the_same_second_applies(nodes, peer):
    """Mastodon's rule: an Update whose `updated` is before the held version changes nothing
    (it arrived late); one with the same time is a second edit within that second and applies,
    and moves edited_at on, so the post's images and mentions are rendered afresh."""
    scene = await make_scene(nodes, peer, "mastodon")
    await scene.send(BASE_POST["mastodon"])
    await scene.send("update_note", note=scene.note_uri())
    edited = await scene.post(scene.note_uri())
    assert edited.edited_at.isoformat() == "2026-08-11T02:26:42+00:00"

    async def resend(suffix: str, content: str, updated: str) -> Post:
        activity = scene.load("update_note", note=scene.note_uri())
        activity["id"] += suffix
        activity["object"].update(content=f"<p>{content}</p>", updated=updated)
        response = await scene.peer.send(scene.actor, scene.node.base_url + "/inbox", activity)
        assert response.status == 202
        await scene.nodes.settle()
        return await scene.post(scene.note_uri())

    late = await resend("-late", "older words", "2026-08-11T02:00:00Z")
    assert late.content == edited.content and late.edited_at == edited.edited_at

    same_second = await resend("-again", "second edit, same second", "2026-08-11T02:26:42Z")
    assert "second edit, same second" in same_second.content
    assert same_second.edited_at > edited.edited_at
    third = await resend("-third", "third edit, same second", "2026-08-11T02:26:42Z")
    assert "third edit" in third.content and third.edited_at > same_second.edited_at

    newer = await resend("-newer", "newer words", "2026-08-12T09:00:00Z")
    assert "newer words" in newer.content and newer.edited_at.isoformat() == "2026-08-12T09:00:00+00:00"


@pytest.mark.parametrize("server", replay.servers_with("delete_note"))
async def test_delete_removes_the_post(nodes, peer, server):
    scene = await make_scene(nodes, peer, server)
    await scene.send(BASE_POST[server])
    assert await scene.post(scene.note_uri()) is not None
    await scene.send("delete_note", note=scene.note_uri())
    assert await scene.post(scene.note_uri()) is None
    assert await scene.count(Tombstone, Tombstone.uri == scene.note_uri()) == 1


@pytest.mark.parametrize("server", replay.servers_with("delete_note"))
async def test_create_arriving_after_its_delete_is_ignored(nodes, peer, server):
    scene = await make_scene(nodes, peer, server)
    await scene.send("delete_note", note=scene.note_uri())
    await scene.send(BASE_POST[server])
    assert await scene.post(scene.note_uri()) is None
    assert await scene.count(Post, Post.local.is_(False)) == 0


# --- reactions -----------------------------------------------------------------------

@pytest.mark.parametrize("server", replay.servers_with("like"))
async def test_like_is_counted_and_undone(nodes, peer, server):
    scene = await make_scene(nodes, peer, server)
    like = await scene.send("like")
    assert await scene.count(Favourite, Favourite.like_uri == like["id"],
                             Favourite.post_id == scene.local_note.id) == 1
    assert (await scene.refreshed(scene.local_note)).favourites_count == 1
    assert await scene.count(Notification, Notification.type == "favourite",
                             Notification.account_id == scene.alice.id,
                             Notification.post_id == scene.local_note.id) == 1

    await scene.send("undo_like")
    assert await scene.count(Favourite) == 0
    assert (await scene.refreshed(scene.local_note)).favourites_count == 0


@pytest.mark.parametrize("server", replay.servers_with("announce"))
async def test_announce_is_counted_and_undone(nodes, peer, server):
    scene = await make_scene(nodes, peer, server)
    announce = await scene.send("announce")
    boost = await scene.post(announce["id"])
    assert boost is not None and boost.reblog_of_id == scene.local_note.id
    assert (await scene.refreshed(scene.local_note)).reblogs_count == 1
    assert await scene.count(Notification, Notification.type == "reblog",
                             Notification.post_id == scene.local_note.id) == 1

    await scene.send("undo_announce")
    assert await scene.post(announce["id"]) is None
    assert (await scene.refreshed(scene.local_note)).reblogs_count == 0


# --- actors --------------------------------------------------------------------------

@pytest.mark.parametrize("server", replay.servers_with("update_person"))
async def test_profile_update_changes_the_account(nodes, peer, server):
    scene = await make_scene(nodes, peer, server)
    update = await scene.send("update_person")
    account = await scene.remote_account()
    assert account.display_name == update["object"]["name"]
    assert account.display_name != scene.actor.document()["name"]
    assert account.note
    # The key the profile names is still the one the actor signs with.
    assert account.public_key_pem == scene.actor.public_pem.strip()


@pytest.mark.parametrize("server", replay.servers_with("delete_actor"))
async def test_actor_delete_removes_its_posts(nodes, peer, server):
    scene = await make_scene(nodes, peer, server)
    await scene.send(BASE_POST[server])
    account = await scene.remote_account()
    assert await scene.count(Post, Post.account_id == account.id) == 1

    await scene.send("delete_actor")
    assert await scene.count(Post, Post.account_id == account.id) == 0
    assert (await scene.remote_account()).gone_at is not None
    assert await scene.post(scene.local_note.object_uri) is not None
