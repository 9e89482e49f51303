"""A Muralist node and bovine-herd, a separate ActivityPub server, on loopback: their users
follow each other, a post travels each way, and bovine's user likes our post.

bovine's user acts through bovine's own client-to-server API (its outbox, Moo-Auth-1); bovine
then signs and delivers the activities itself. bovine does not accept follows on its own:
its user answers our Follow with an Accept (whose object is the Follow's id, bovine's
default), as a bovine client would.
"""

from sqlalchemy import select

from node import actions
from storage.models import Favourite, Follow, HomeFeedEntry, Post

from tests.interop.interop_node import act, first, queue_report, remote
from tests.interop.interop_peers import poll


def ref(value) -> str | None:
    """The id of an object that bovine's proxy may have embedded, or the id itself."""
    return value.get("id") if isinstance(value, dict) else value


async def test_follow_post_and_like_with_bovine(nodes, bovine):
    node = await nodes.start("a")
    alice = await node.create_user("alice")
    report = lambda: queue_report(node)  # noqa: E731
    milkdrop = await remote(node, bovine.actor_uri)  # a signed fetch: bovine refuses unsigned ones
    assert milkdrop.username == "milkdrop" and milkdrop.inbox_uri and milkdrop.public_key_pem

    # alice follows bovine's user; the Follow arrives in its inbox and the user accepts it.
    await act(node, actions.follow, alice, milkdrop)

    async def follow_in_bovine_inbox():
        return next((item for item in await bovine.collection("inbox")
                     if item.get("type") == "Follow" and ref(item.get("actor")) == alice.actor_uri), None)

    follow = await poll(follow_in_bovine_inbox, what="our Follow in bovine's inbox", settle=nodes.settle,
                        diagnose=report)
    await bovine.user.call("accept", activity=follow)
    accepted = select(Follow).where(Follow.account_id == alice.id, Follow.target_account_id == milkdrop.id,
                                    Follow.state == "accepted")
    await poll(lambda: first(node, accepted), what="bovine's Accept of alice's follow", settle=nodes.settle,
               diagnose=report)
    assert alice.actor_uri in await bovine.collection("followers")

    # bovine's user follows alice back; alice (not locked) accepts at once.
    await bovine.user.call("follow", target=alice.actor_uri)
    followed = select(Follow).where(Follow.account_id == milkdrop.id, Follow.target_account_id == alice.id,
                                    Follow.state == "accepted")
    await poll(lambda: first(node, followed), what="bovine's Follow of alice", settle=nodes.settle, diagnose=report)

    async def bovine_follows_alice():
        return alice.actor_uri in await bovine.collection("following")

    await poll(bovine_follows_alice, what="our Accept in bovine", settle=nodes.settle, diagnose=report)

    # A post from bovine reaches alice's home feed.
    posted = await bovine.user.call("post", content="<p>Moo from the pasture</p>")
    from_bovine = select(Post).where(Post.object_uri == posted["object"])
    post = await poll(lambda: first(node, from_bovine), what="bovine's post", settle=nodes.settle, diagnose=report)
    assert "Moo from the pasture" in post.content and post.account_id == milkdrop.id
    assert post.visibility == "public"
    in_home = select(HomeFeedEntry).where(HomeFeedEntry.account_id == alice.id, HomeFeedEntry.post_id == post.id)
    assert await first(node, in_home) is not None

    # A post from alice reaches bovine's inbox.
    ours = await act(node, actions.create_post, alice, text="A mural of cows, made by a machine")
    await nodes.settle()

    async def create_in_bovine_inbox():
        for item in await bovine.collection("inbox"):
            note = item.get("object")
            if item.get("type") == "Create" and isinstance(note, dict) and ref(note) == ours.object_uri:
                return note
        return None

    note = await poll(create_in_bovine_inbox, what="alice's post in bovine's inbox", settle=nodes.settle,
                      diagnose=report)
    assert "A mural of cows" in note["content"]
    assert ref(note["attributedTo"]) == alice.actor_uri

    # bovine's user likes alice's post; the like is counted and notified here.
    await bovine.user.call("like", object=ours.object_uri, author=alice.actor_uri)
    liked = select(Favourite).where(Favourite.account_id == milkdrop.id, Favourite.post_id == ours.id)
    await poll(lambda: first(node, liked), what="bovine's Like", settle=nodes.settle, diagnose=report)
    assert (await first(node, select(Post).where(Post.id == ours.id))).favourites_count == 1
