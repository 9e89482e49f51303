"""The public pages: the local gallery, profiles, post pages with lineage, tags, explore,
about, remote accounts and posts the node knows, link previews and HTML errors."""

from datetime import timedelta

import pytest

from node import actions, context
from node.web.filters import blurhash_colour
from node.web.gallery import rank
from storage.media import process_image
from storage.models import MediaAttachment, Post
from storage.types import utcnow
from tests.conftest import create_user
from tests.outbox.outbox_support import image_bytes, remote_account, stored_media
from tests.web.html_scan import Tags

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
async def alice(client, app):
    return await create_user(app, "alice")


async def image_post(app, account, *, text="", description="a red square", prompt="a red square", **kw):
    async with app[context.SESSIONMAKER]() as session:
        media = await stored_media(session, app[context.SETTINGS], account, description=description)
        media.generation = {"prompt": prompt, "style": "watercolor", "generator": "procedural", "seed": 7}
        post = await actions.create_post(session, app[context.SETTINGS], account, text=text, media_ids=[media.id], **kw)
        await session.commit()
    return post


async def html(client, path, status=200):
    response = await client.get(path, headers=BROWSER)
    text = await response.text()
    assert response.status == status, text[:500]
    assert response.content_type == "text/html"
    return text, Tags(text)


def assert_every_image_has_alt(tags: Tags) -> None:
    for img in tags.all("img"):
        assert "alt" in img, img


async def test_front_page_shows_local_images_newest_first_with_paging(client, app, alice):
    posts = [await image_post(app, alice, description=f"square {n}") for n in range(26)]
    text, tags = await html(client, "/")
    links = [a["href"] for a in tags.all("a") if a.get("href", "").startswith("/@alice/")]
    assert links[:2] == [f"/@alice/{posts[-1].id}", f"/@alice/{posts[-2].id}"]
    assert len(links) == 24
    images = tags.all("img", loading="lazy")
    assert images and all(img["style"].startswith("background-color: #") for img in images)
    assert_every_image_has_alt(tags)
    older = next(a["href"] for a in tags.all("a") if a.get("rel") == "next")
    _text, second = await html(client, older)
    rest = [a["href"] for a in second.all("a") if a.get("href", "").startswith("/@alice/")]
    assert rest == [f"/@alice/{posts[1].id}", f"/@alice/{posts[0].id}"]
    await html(client, "/?max_id=abc", status=400)


async def test_profile_shows_counts_and_her_images(client, app, alice):
    post = await image_post(app, alice)
    for path in ("/@alice", "/users/alice"):
        text, tags = await html(client, path)
        assert "@alice@node.test" in text
        assert tags.all("a", href=f"/@alice/{post.id}")
        assert "<strong>1</strong> post<" in text
        assert tags.meta("og:title").startswith("alice") and tags.meta("twitter:card") == "summary_large_image"
        assert_every_image_has_alt(tags)


async def test_post_page_has_image_prompt_counts_and_link_preview(client, app, alice):
    post = await image_post(app, alice, text="look #Sunset", description="a <red> square", prompt="a red square at dusk")
    text, tags = await html(client, f"/@alice/{post.id}")
    image = tags.all("img", alt="a <red> square")[0]
    assert image["src"].startswith("https://node.test/media/")
    assert "a red square at dusk" in text and "watercolor" in text
    assert tags.meta("og:image") == image["src"] and tags.meta("og:image:alt") == "a <red> square"
    assert tags.meta("og:url") == f"https://node.test/@alice/{post.id}"
    assert tags.meta("og:description") == "a red square at dusk"
    assert "<strong>0</strong> likes" in text
    _text, tag_page = await html(client, "/tags/sunset")
    assert tag_page.all("a", href=f"/@alice/{post.id}")
    _text, other_tag = await html(client, "/tags/sunrise")
    assert not other_tag.all("a", href=f"/@alice/{post.id}")


async def test_lineage_links_the_source_and_its_remixes(client, app, alice):
    bob = await create_user(app, "bob")
    source = await image_post(app, alice, prompt="a lighthouse")
    remix = await image_post(app, bob, prompt="a lighthouse at night", quote_of_id=source.id)
    text, tags = await html(client, f"/@bob/{remix.id}")
    assert tags.all("a", href=f"/@alice/{source.id}") and "Remix of" in text
    text, tags = await html(client, f"/@alice/{source.id}")
    assert tags.all("a", href=f"/@bob/{remix.id}") and "<strong>1</strong> remix<" in text


async def test_explore_ranks_by_recent_reactions(client, app, alice):
    bob = await create_user(app, "bob")
    quiet = await image_post(app, alice, description="quiet")
    liked = await image_post(app, alice, description="liked")
    async with app[context.SESSIONMAKER]() as session:
        await actions.favourite(session, app[context.SETTINGS], bob, await session.get(Post, liked.id))
        await session.commit()
    _text, tags = await html(client, "/explore")
    assert tags.all("a", href=f"/@alice/{liked.id}")
    assert not tags.all("a", href=f"/@alice/{quiet.id}")


def test_ranking_decays_with_age():
    now = utcnow()
    old_burst = [(1, now - timedelta(days=5))] * 10
    fresh = [(2, now - timedelta(hours=1))] * 2
    assert rank({"likes": old_burst + fresh}, now) == [2, 1]
    assert rank({"likes": [(3, now)], "remixes": [(4, now)]}, now) == [4, 3]


def test_blurhash_average_colour():
    # The image pipeline's blurhash of a solid colour encodes that colour as its average.
    solid = process_image(image_bytes(color=(200, 40, 90)))
    assert blurhash_colour(solid.blurhash) == "#c8285a"
    for bad in (None, "", "abc", "LE\x00\x00\x00\x00"):
        assert blurhash_colour(bad) == "#d8d4cc"


async def test_remote_account_and_post_the_node_knows(client, app, alice):
    async with app[context.SESSIONMAKER]() as session:
        carol = await remote_account(session, "carol", "remote.example")
        post = Post(account_id=carol.id, object_uri="https://remote.example/notes/1", url="https://remote.example/@carol/1",
                    local=False, visibility="public", content="<p>from afar</p>")
        session.add(post)
        await session.flush()
        session.add(MediaAttachment(account_id=carol.id, post_id=post.id, remote_url="https://remote.example/a.png",
                                    description="a far image", blurhash="not a hash"))
        await session.commit()
    text, tags = await html(client, "/@carol@remote.example")
    assert tags.all("a", href=f"/@carol@remote.example/{post.id}")
    text, tags = await html(client, f"/@carol@remote.example/{post.id}")
    assert tags.all("img", src="https://remote.example/a.png", alt="a far image")
    assert "from afar" in text and tags.all("a", href="https://remote.example/@carol/1")
    await html(client, "/@carol@elsewhere.example", status=404)
    await html(client, f"/@alice/{post.id}", status=404)


async def test_about_page(client, app, alice):
    await create_user(app, "root", admin=True)
    text, tags = await html(client, "/about")
    assert "Anyone may sign up." in text and tags.all("a", href="/@root")


async def test_browsers_get_html_404_and_clients_keep_json(client, app, alice):
    for path in ("/nowhere", "/@nobody", "/users/nobody", "/@alice/123", "/tags/" + "x" * 200, "/tags/a%00b"):
        text, _tags = await html(client, path, status=404)
        assert "Not found" in text
    for path, accept in (("/api/v1/nowhere", BROWSER["Accept"]), ("/nowhere", "application/json"),
                         ("/users/nobody", "application/activity+json"), ("/nowhere", None)):
        response = await client.get(path, headers={"Accept": accept} if accept else {})
        assert response.status == 404 and "error" in await response.json()


async def test_private_posts_stay_hidden_from_strangers(client, app, alice):
    post = await image_post(app, alice, visibility="private")
    await html(client, f"/@alice/{post.id}", status=404)
    _text, tags = await html(client, "/@alice")
    assert not tags.all("a", href=f"/@alice/{post.id}")


async def test_static_files_and_favicon(client):
    for path, kind in (("/favicon.ico", "image/"), ("/static/style.css", "text/css")):
        response = await client.get(path)
        assert response.status == 200 and response.content_type.startswith(kind)
