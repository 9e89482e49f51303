"""Three complete nodes on loopback follow, post, like, boost, delete and unfollow across each
other through signed HTTP only; each node is acted on through its own actions and checked in
its own database."""

import pytest
from sqlalchemy import func, select

from activitypub.resolver import resolve_actor
from node import actions
from node.federation.runtime import FEDERATION
from storage.media import MediaStore, process_image
from storage.models import Account, Favourite, Follow, HomeFeedEntry, MediaAttachment, Notification, Post
from storage.repositories.posts import list_media

from tests.outbox.outbox_support import image_bytes


async def remote(node, actor_uri: str) -> Account:
    """The node's row for a remote actor, fetched over signed HTTP like a search would."""
    async with node.session() as session:
        account = await resolve_actor(session, node.app[FEDERATION].fetcher, actor_uri, local_domain=node.domain)
        await session.commit()
        return account


async def act(node, action, *args, **kw):
    async with node.session() as session:
        args = [await session.merge(a) if isinstance(a, (Account, Post)) else a for a in args]
        result = await action(session, node.settings, *args, **kw)
        await session.commit()
        return result


async def scalar(node, query):
    async with node.session() as session:
        return (await session.execute(query)).scalar_one()


async def home(node, account) -> list[int]:
    async with node.session() as session:
        rows = await session.execute(select(HomeFeedEntry.post_id).where(HomeFeedEntry.account_id == account.id))
        return list(rows.scalars())


async def post_by_uri(node, uri):
    async with node.session() as session:
        return (await session.execute(select(Post).where(Post.object_uri == uri))).scalar_one_or_none()


async def image_for(node, author, description):
    async with node.session() as session:
        processed = process_image(image_bytes("PNG", size=(64, 48), color=(30, 90, 200)), focus=(0.25, -0.5))
        stored = MediaStore(node.settings.media_dir).save(processed)
        media = MediaAttachment(account_id=author.id, file_path=stored.original_path,
                                preview_path=stored.preview_path, media_type=stored.original_media_type,
                                width=stored.width, height=stored.height, blurhash=stored.blurhash,
                                description=description, focus_x=0.25, focus_y=-0.5, sha256=stored.sha256)
        session.add(media)
        await session.commit()
        return media


@pytest.fixture
async def three(nodes):
    a, b, c = [await nodes.start(name) for name in "abc"]
    alice, bob, carol = await a.create_user("alice"), await b.create_user("bob"), await c.create_user("carol")
    return a, b, c, alice, bob, carol


async def test_follow_post_like_boost_delete_unfollow(nodes, three):
    a, b, c, alice, bob, carol = three
    # bob@b and carol@c follow alice@a; alice accepts automatically.
    for node, user in ((b, bob), (c, carol)):
        await act(node, actions.follow, user, await remote(node, alice.actor_uri))
    await nodes.settle()
    for node in (b, c):
        assert await scalar(node, select(Follow.state)) == "accepted"
    assert await scalar(a, select(func.count()).select_from(Follow).where(Follow.state == "accepted")) == 2

    # alice posts an image; it reaches both followers' home timelines with alt text and blurhash.
    media = await image_for(a, alice, "a blue square at dusk")
    post = await act(a, actions.create_post, alice, text="Made this today #blue", media_ids=[media.id])
    await nodes.settle()
    for node, user in ((b, bob), (c, carol)):
        copy = await post_by_uri(node, post.object_uri)
        assert copy is not None and "Made this today" in copy.content and copy.tags == ["blue"]
        assert copy.id in await home(node, user)
        async with node.session() as session:
            attached = (await list_media(session, [copy.id]))[copy.id]
        assert attached[0].description == "a blue square at dusk"
        assert attached[0].blurhash == media.blurhash and attached[0].width == 64
        assert attached[0].remote_url.startswith(a.base_url + "/media/")

    # bob likes it and carol boosts it: the counts and notifications arrive at alice's node.
    await act(b, actions.favourite, bob, await post_by_uri(b, post.object_uri))
    await act(c, actions.boost, carol, await post_by_uri(c, post.object_uri))
    await nodes.settle()
    original = await post_by_uri(a, post.object_uri)
    assert (original.favourites_count, original.reblogs_count) == (1, 1)
    async with a.session() as session:
        kinds = sorted((await session.execute(select(Notification.type))).scalars())
    assert kinds == ["favourite", "follow", "follow", "reblog"]

    # alice deletes the post: it disappears from every node, boosts and likes with it.
    await act(a, actions.delete_post, alice, original)
    await nodes.settle()
    for node in (a, b, c):
        assert await post_by_uri(node, post.object_uri) is None
    assert await scalar(b, select(func.count()).select_from(Favourite)) == 0

    # bob unfollows; alice's next post reaches carol only.
    await act(b, actions.unfollow, bob, await remote(b, alice.actor_uri))
    await nodes.settle()
    assert await scalar(a, select(func.count()).select_from(Follow)) == 1
    second = await act(a, actions.create_post, alice, text="only carol sees this")
    await nodes.settle()
    assert await post_by_uri(b, second.object_uri) is None
    assert await post_by_uri(c, second.object_uri) is not None


async def test_follow_with_approval(nodes, three):
    a, b, c, alice, bob, carol = three
    async with c.session() as session:
        (await session.get(Account, carol.id)).locked = True
        await session.commit()
    await act(b, actions.follow, bob, await remote(b, carol.actor_uri))
    await nodes.settle()
    assert await scalar(b, select(Follow.state)) == "requested"
    assert await scalar(c, select(Follow.state)) == "requested"
    assert await scalar(c, select(Notification.type)) == "follow_request"

    post = await act(c, actions.create_post, carol, text="followers only", visibility="private")
    await nodes.settle()
    assert await post_by_uri(b, post.object_uri) is None

    await act(c, actions.authorize_follow_request, carol, await remote(c, bob.actor_uri))
    await nodes.settle()
    assert await scalar(b, select(Follow.state)) == "accepted"
    later = await act(c, actions.create_post, carol, text="for my followers", visibility="private")
    await nodes.settle()
    copy = await post_by_uri(b, later.object_uri)
    assert copy is not None and copy.visibility == "private"
    assert copy.id in await home(b, bob)
