"""Posts at their id URL, their activities, HTML pages, the paged outbox and follow
collections, and media files."""

import pytest

from node import actions, context
from storage.media import MediaStore, process_image
from tests.conftest import create_user
from tests.outbox.outbox_support import add_follow, image_bytes, remote_account, stored_media

AS2_ACCEPTS = [
    "application/activity+json",
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
]
AS2 = {"Accept": AS2_ACCEPTS[0]}
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def settings(settings):
    """These tests read what the node serves; no background worker is needed."""
    return settings.with_changes(run_workers=False) if hasattr(settings, "run_workers") else settings


@pytest.fixture
async def alice(client, app):
    return await create_user(app, "alice")


async def post_as(app, account, **kw):
    async with app[context.SESSIONMAKER]() as session:
        post = await actions.create_post(session, app[context.SETTINGS], account, **kw)
        await session.commit()
    return post


def path_of(uri: str) -> str:
    return uri.removeprefix("https://node.test")


@pytest.mark.parametrize("accept", AS2_ACCEPTS)
async def test_note_is_served_at_its_id(client, app, alice, accept):
    post = await post_as(app, alice, text="hello #world")
    response = await client.get(path_of(post.object_uri), headers={"Accept": accept})
    assert response.status == 200 and response.content_type == "application/activity+json"
    note = await response.json(content_type=None)
    assert note["id"] == post.object_uri == f"https://node.test/users/alice/statuses/{post.id}"
    assert note["type"] == "Note" and note["attributedTo"] == alice.actor_uri
    assert note["interactionPolicy"]["canQuote"]["automaticApproval"]
    activity = await client.get(path_of(post.object_uri) + "/activity", headers={"Accept": accept})
    create = await activity.json(content_type=None)
    assert create["type"] == "Create" and create["id"] == f"{post.object_uri}/activity"
    assert create["object"]["id"] == post.object_uri


async def test_boost_activity_is_the_announce(client, app, alice):
    bob = await create_user(app, "bob")
    post = await post_as(app, bob, text="boost me")
    async with app[context.SESSIONMAKER]() as session:
        boost = await actions.boost(session, app[context.SETTINGS], alice, post)
        await session.commit()
    response = await client.get(path_of(boost.object_uri), headers=AS2)
    announce = await response.json(content_type=None)
    assert announce["type"] == "Announce" and announce["id"] == boost.object_uri
    assert announce["object"] == post.object_uri
    missing = await client.get(f"/users/alice/statuses/{boost.id}", headers=AS2)
    assert missing.status == 404


@pytest.mark.parametrize("visibility", ["private", "direct"])
async def test_limited_posts_are_not_served(client, app, alice, visibility):
    post = await post_as(app, alice, text="secret", visibility=visibility)
    for path in (path_of(post.object_uri), path_of(post.object_uri) + "/activity", f"/@alice/{post.id}"):
        assert (await client.get(path, headers=AS2)).status == 404


async def test_wrong_author_or_unknown_post_is_404(client, app, alice):
    await create_user(app, "bob")
    post = await post_as(app, alice, text="mine")
    assert (await client.get(f"/users/bob/statuses/{post.id}", headers=AS2)).status == 404
    assert (await client.get("/users/alice/statuses/123", headers=AS2)).status == 404


async def test_browsers_get_html(client, app, alice):
    async with app[context.SESSIONMAKER]() as session:
        media = await stored_media(session, app[context.SETTINGS], alice, description="a <fox>")
        await session.commit()
    post = await post_as(app, alice, text="look <here>", media_ids=[media.id], spoiler_text="fox",
                         generation={"prompt": "a fox"})
    for path in (path_of(post.object_uri), f"/@alice/{post.id}"):
        response = await client.get(path, headers=BROWSER)
        assert response.status == 200 and response.content_type == "text/html"
        page = await response.text()
        assert "look &lt;here&gt;" in page and 'alt="a &lt;fox&gt;"' in page
        assert f'href="{post.object_uri}"' in page and "a fox" in page
    redirect = await client.get(f"/@alice/{post.id}", headers=AS2, allow_redirects=False)
    assert redirect.status == 302 and redirect.headers["Location"] == post.object_uri


async def test_outbox_is_paged(client, app, alice):
    posts = [await post_as(app, alice, text=f"post {n}") for n in range(22)]
    await post_as(app, alice, text="not listed", visibility="private")
    collection = await (await client.get("/users/alice/outbox", headers=AS2)).json(content_type=None)
    assert collection["type"] == "OrderedCollection" and collection["totalItems"] == 22
    assert collection["id"] == alice.outbox_uri and collection["first"] == f"{alice.outbox_uri}?page=true"
    first = await (await client.get(path_of(collection["first"]), headers=AS2)).json(content_type=None)
    assert first["type"] == "OrderedCollectionPage" and first["partOf"] == alice.outbox_uri
    assert len(first["orderedItems"]) == 20
    assert first["orderedItems"][0]["type"] == "Create"
    assert first["orderedItems"][0]["object"]["id"] == posts[-1].object_uri
    assert "@context" not in first["orderedItems"][0] and "muralist" in first["@context"][1]
    second = await (await client.get(path_of(first["next"]), headers=AS2)).json(content_type=None)
    assert [item["object"]["id"] for item in second["orderedItems"]] == [posts[1].object_uri, posts[0].object_uri]
    assert "next" not in second
    bad = await client.get("/users/alice/outbox?max_id=abc", headers=AS2)
    assert bad.status == 400


async def test_followers_and_following(client, app, alice):
    async with app[context.SESSIONMAKER]() as session:
        followers = [await remote_account(session, f"fan{n}") for n in range(3)]
        for fan in followers:
            await add_follow(session, fan, alice)
        await add_follow(session, alice, followers[0])
        pending = await remote_account(session, "pending")
        await add_follow(session, pending, alice, "requested")
        await session.commit()
    collection = await (await client.get("/users/alice/followers", headers=AS2)).json(content_type=None)
    assert collection["totalItems"] == 3 and collection["type"] == "OrderedCollection"
    page = await (await client.get(path_of(collection["first"]), headers=AS2)).json(content_type=None)
    assert set(page["orderedItems"]) == {fan.actor_uri for fan in followers}
    following = await (await client.get("/users/alice/following?page=true", headers=AS2)).json(content_type=None)
    assert following["orderedItems"] == [followers[0].actor_uri]
    featured = await (await client.get("/users/alice/collections/featured", headers=AS2)).json(content_type=None)
    assert featured["type"] == "OrderedCollection" and featured["totalItems"] == 0
    instance = await (await client.get("/actor/followers", headers=AS2)).json(content_type=None)
    assert instance["totalItems"] == 0


async def test_media_files_are_served(client, app, settings):
    stored = MediaStore(settings.media_dir).save(process_image(image_bytes("JPEG")))
    response = await client.get(f"/media/{stored.original_path}")
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in response.headers["Cache-Control"]
    assert await response.read() == MediaStore(settings.media_dir).read_bytes(stored.original_path)
    preview = await client.get(f"/media/{stored.preview_path}")
    assert preview.headers["Content-Type"] == "image/webp"


@pytest.mark.parametrize("path", [
    "/media/..%2F..%2Fetc%2Fpasswd",
    "/media/ab/cd/..%2F..%2F..%2Fsecret.png",
    "/media/ab/cd/" + "0" * 64 + ".png",
    "/media/nothing.png",
])
async def test_media_paths_outside_the_store_are_refused(client, path):
    assert (await client.get(path)).status == 404
