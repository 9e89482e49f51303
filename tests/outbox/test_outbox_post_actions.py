"""Creating, editing and deleting posts: the rows written and the deliveries queued."""

import pytest
from sqlalchemy import select

from activitypub.context import PUBLIC
from node import actions
from node.errors import ValidationError
from storage.errors import NotFound
from storage.models import HomeFeedEntry, MediaAttachment, Mention, Notification, Post, Tombstone
from tests.outbox.outbox_support import add_follow, deliveries, local_user, remote_account, stored_media


@pytest.fixture
async def cast(session, settings):
    """alice posts; dave (local) and bob (remote) follow her; carol is local, erin remote."""
    alice = await local_user(session, settings, "alice")
    carol = await local_user(session, settings, "carol")
    dave = await local_user(session, settings, "dave")
    bob = await remote_account(session, "bob")
    erin = await remote_account(session, "erin", "other.example", shared=False)
    await add_follow(session, dave, alice)
    await add_follow(session, bob, alice)
    return dict(alice=alice, bob=bob, carol=carol, dave=dave, erin=erin)


async def feed_of(session, account) -> set[int]:
    rows = await session.execute(select(HomeFeedEntry.post_id).where(HomeFeedEntry.account_id == account.id))
    return set(rows.scalars())


async def test_create_post_rows_and_create_activity(session, settings, cast):
    alice = cast["alice"]
    media = await stored_media(session, settings, alice, description="a fox")
    post = await actions.create_post(
        session, settings, alice, text="Hi @carol and @erin@other.example! #Foxes <b>\nhttps://example.org/x.",
        media_ids=[str(media.id)], language="en",
        generation={"prompt": "a fox", "generator": "procedural", "seed": 7})
    await session.commit()
    assert post.object_uri == f"https://node.test/users/alice/statuses/{post.id}"
    assert post.url == f"https://node.test/@alice/{post.id}"
    assert post.local and post.visibility == "public" and post.tags == ["foxes"]
    assert "&lt;b&gt;" in post.content and "<br>" in post.content
    assert 'href="https://example.org/x"' in post.content and "x</a>." in post.content
    assert 'class="u-url mention"' in post.content and 'href="https://node.test/tags/foxes"' in post.content
    assert (await session.get(MediaAttachment, media.id)).post_id == post.id
    mentions = set((await session.execute(select(Mention.account_id).where(Mention.post_id == post.id))).scalars())
    assert mentions == {cast["carol"].id, cast["erin"].id}
    for reader in ("alice", "dave", "carol"):
        assert post.id in await feed_of(session, cast[reader])
    notes = (await session.execute(select(Notification))).scalars().all()
    assert [(n.account_id, n.type) for n in notes] == [(cast["carol"].id, "mention")]
    sent = await deliveries(session, "Create")
    assert sorted(inbox for inbox, _ in sent) == ["https://other.example/users/erin/inbox", "https://remote.example/inbox"]
    create = sent[0][1]
    assert create["id"] == f"{post.object_uri}/activity" and create["actor"] == alice.actor_uri
    note = create["object"]
    assert note["id"] == post.object_uri and "@context" not in note
    assert create["to"] == note["to"] == [PUBLIC]
    assert note["cc"] == create["cc"] == [alice.followers_uri, cast["carol"].actor_uri, cast["erin"].actor_uri]
    assert note["attachment"][0]["name"] == "a fox" and note["attachment"][0]["url"].startswith("https://node.test/media/")
    assert note["generation"] == {"prompt": "a fox", "generator": "procedural", "seed": 7}
    assert {"type": "Mention", "href": cast["erin"].actor_uri, "name": "@erin@other.example"} in note["tag"]
    assert {"type": "Hashtag", "href": "https://node.test/tags/foxes", "name": "#foxes"} in note["tag"]
    assert note["contentMap"] == {"en": post.content}


async def test_direct_post_goes_only_to_the_mentioned(session, settings, cast):
    post = await actions.create_post(session, settings, cast["alice"], text="@erin@other.example psst",
                                     visibility="direct")
    await session.commit()
    sent = await deliveries(session)
    assert [inbox for inbox, _ in sent] == ["https://other.example/users/erin/inbox"]
    assert sent[0][1]["object"]["to"] == [cast["erin"].actor_uri] and sent[0][1]["object"]["cc"] == []
    assert post.id not in await feed_of(session, cast["dave"])
    assert post.id in await feed_of(session, cast["alice"])


async def test_unknown_mention_stays_text(session, settings, cast):
    post = await actions.create_post(session, settings, cast["alice"], text="hi @nobody@nowhere.example")
    assert "mention" not in post.content and "@nobody@nowhere.example" in post.content


async def test_reply_counts_and_reaches_the_remote_author(session, settings, cast):
    parent = Post(account_id=cast["erin"].id, object_uri="https://other.example/notes/1", local=False)
    session.add(parent)
    await session.flush()
    reply = await actions.create_post(session, settings, cast["alice"], text="nice", in_reply_to_id=parent.id)
    await session.commit()
    await session.refresh(parent)
    assert parent.replies_count == 1
    assert reply.in_reply_to_uri == parent.object_uri and reply.in_reply_to_account_id == cast["erin"].id
    sent = await deliveries(session, "Create")
    assert "https://other.example/users/erin/inbox" in {inbox for inbox, _ in sent}
    assert sent[0][1]["object"]["inReplyTo"] == parent.object_uri


async def test_quote_post(session, settings, cast):
    quoted = await actions.create_post(session, settings, cast["carol"], text="original")
    post = await actions.create_post(session, settings, cast["alice"], text="remix", quote_of_id=quoted.id)
    assert post.quote_of_uri == quoted.object_uri and post.quote_of_id == quoted.id
    assert 'class="quote-inline"' in post.content
    kinds = (await session.execute(select(Notification.type).where(Notification.account_id == cast["carol"].id)))
    assert list(kinds.scalars()) == ["quote"]
    private = await actions.create_post(session, settings, cast["carol"], text="mine", visibility="private")
    with pytest.raises((ValidationError, NotFound)):
        await actions.create_post(session, settings, cast["alice"], text="x", quote_of_id=private.id)


@pytest.mark.parametrize("kwargs, message", [
    ({"text": ""}, "text or an image"),
    ({"text": "x", "visibility": "everyone"}, "visibility"),
    ({"text": "x" * 5001}, "longer"),
    ({"text": "x", "language": "not a language"}, "language"),
    ({"text": "x", "media_ids": ["nope"]}, "numbers"),
    ({"text": "x", "media_ids": ["123"]}, "not found"),
])
async def test_bad_input_is_refused(session, settings, cast, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        await actions.create_post(session, settings, cast["alice"], **kwargs)


async def test_the_advertised_character_limit_holds_as_mastodon_counts(session, settings, cast):
    link = "https://example.org/" + "a" * 200  # a link counts as 23 characters, whatever its length
    ok = await actions.create_post(session, settings, cast["alice"], text="x" * 477 + link)
    assert link in ok.source_text
    for kwargs in ({"text": "x" * 600}, {"text": "x" * 478 + link}, {"text": "x" * 400, "spoiler_text": "y" * 101}):
        with pytest.raises(ValidationError, match="longer than 500 characters"):
            await actions.create_post(session, settings, cast["alice"], **kwargs)


async def test_media_rules(session, settings, cast):
    alice, carol = cast["alice"], cast["carol"]
    theirs = await stored_media(session, settings, carol)
    with pytest.raises(ValidationError, match="not found"):
        await actions.create_post(session, settings, alice, text="x", media_ids=[theirs.id])
    five = [await stored_media(session, settings, alice, color=(n, 0, 0)) for n in range(5)]
    with pytest.raises(ValidationError, match="at most 4"):
        await actions.create_post(session, settings, alice, media_ids=[m.id for m in five])
    post = await actions.create_post(session, settings, alice, media_ids=[five[1].id, five[0].id])
    ordered = (await session.execute(select(MediaAttachment).where(MediaAttachment.post_id == post.id)
                                     .order_by(MediaAttachment.position))).scalars().all()
    assert [m.id for m in ordered] == [five[1].id, five[0].id]
    with pytest.raises(ValidationError, match="already attached"):
        await actions.create_post(session, settings, alice, media_ids=[five[0].id])


async def test_update_post(session, settings, cast):
    alice = cast["alice"]
    media = await stored_media(session, settings, alice, description="old")
    post = await actions.create_post(session, settings, alice, text="first", media_ids=[media.id])
    await actions.update_post(session, settings, alice, post, text="second @carol", spoiler_text="cw",
                              media_descriptions={media.id: "new alt"})
    await session.commit()
    assert "second" in post.content and post.spoiler_text == "cw" and post.sensitive and post.edited_at
    [(inbox, update)] = await deliveries(session, "Update")
    assert inbox == "https://remote.example/inbox"
    assert update["object"]["type"] == "Note" and update["object"]["id"] == post.object_uri
    assert update["object"]["updated"].endswith("Z") and update["object"]["summary"] == "cw"
    assert update["object"]["attachment"][0]["name"] == "new alt"
    assert update["id"].startswith(f"{post.object_uri}#updates/")
    kinds = await session.execute(select(Notification.type).where(Notification.account_id == cast["carol"].id))
    assert list(kinds.scalars()) == ["mention"]


async def test_only_the_author_edits_or_deletes(session, settings, cast):
    post = await actions.create_post(session, settings, cast["alice"], text="mine")
    with pytest.raises(NotFound):
        await actions.update_post(session, settings, cast["carol"], post, text="hijack")
    with pytest.raises(NotFound):
        await actions.delete_post(session, settings, cast["carol"], post)


async def test_delete_post(session, settings, cast):
    alice = cast["alice"]
    post = await actions.create_post(session, settings, alice, text="bye @carol")
    object_uri, post_id = post.object_uri, post.id
    await session.commit()
    await actions.delete_post(session, settings, alice, post)
    await session.commit()
    assert await session.get(Post, post_id) is None
    assert await session.get(Tombstone, object_uri) is not None
    assert post_id not in await feed_of(session, cast["dave"])
    [(inbox, delete)] = await deliveries(session, "Delete")
    assert inbox == "https://remote.example/inbox"
    assert delete["object"] == {"id": object_uri, "type": "Tombstone"}
    assert delete["actor"] == alice.actor_uri and delete["to"] == [PUBLIC]
