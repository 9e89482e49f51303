"""The Note a local post becomes, field by field (no database: rows built in memory)."""

from datetime import datetime, timezone

import pytest

from activitypub.context import PUBLIC
from activitypub.outbox.note import post_to_note
from storage.models import Account, MediaAttachment, Post

BASE = "https://node.test"
ALICE = f"{BASE}/users/alice"
NOTE_ID = f"{ALICE}/statuses/42"


def alice() -> Account:
    return Account(id=1, username="alice", domain=None, actor_uri=ALICE, url=f"{BASE}/@alice",
                   followers_uri=f"{ALICE}/followers")


def bob() -> Account:
    return Account(id=2, username="bob", domain="remote.example", actor_uri="https://remote.example/users/bob")


def post(**kw) -> Post:
    values = dict(id=42, account_id=1, object_uri=NOTE_ID, url=f"{BASE}/@alice/42", local=True,
                  visibility="public", content="<p>hello</p>", spoiler_text="", sensitive=False,
                  tags=[], to_uris=[], cc_uris=[], created_at=datetime(2026, 1, 2, 3, 4, 5, 678000, timezone.utc))
    values.update(kw)
    return Post(**values)


def image(media_type="image/png", **kw) -> MediaAttachment:
    ext = "png" if media_type == "image/png" else "jpg"
    values = dict(id=7, account_id=1, media_type=media_type, file_path=f"ab/cd/abcd{'0' * 60}.{ext}",
                  description="A red fox in snow", blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
                  width=1024, height=768, focus_x=0.25, focus_y=-0.5)
    values.update(kw)
    return MediaAttachment(**values)


def media_url(path: str) -> str:
    return f"{BASE}/media/{path}"


def note_of(p: Post, media=(), **kw) -> dict:
    return post_to_note(p, alice(), list(media), media_url=media_url, **kw)


def test_basic_fields():
    note = note_of(post())
    assert note["id"] == NOTE_ID and note["type"] == "Note"
    assert note["attributedTo"] == ALICE
    assert note["url"] == f"{BASE}/@alice/42"
    assert note["published"] == "2026-01-02T03:04:05Z"
    assert "updated" not in note
    assert note["content"] == "<p>hello</p>"
    assert "contentMap" not in note
    assert note["summary"] is None
    assert note["sensitive"] is False
    assert note["inReplyTo"] is None
    assert note["attachment"] == [] and note["tag"] == []
    assert "generation" not in note and "quote" not in note


def test_context_declares_the_extension_terms():
    context = note_of(post())["@context"]
    assert context[0] == "https://www.w3.org/ns/activitystreams"
    terms = context[1]
    assert terms["sensitive"] == "as:sensitive" and terms["Hashtag"] == "as:Hashtag"
    assert terms["blurhash"] == "toot:blurhash"
    assert terms["focalPoint"]["@container"] == "@list"
    assert terms["gts"] == "https://gotosocial.org/ns#"
    assert terms["interactionPolicy"]["@id"] == "gts:interactionPolicy"
    assert terms["quote"]["@id"] == "https://w3id.org/fep/044f#quote"
    assert terms["muralist"] == "https://muralist.social/ns#"
    assert terms["generation"] == "muralist:generation" and terms["prompt"] == "muralist:prompt"


@pytest.mark.parametrize("media_type", ["image/png", "image/jpeg"])
def test_image_attachment(media_type):
    note = note_of(post(), [image(media_type)])
    [attachment] = note["attachment"]
    assert attachment["type"] == "Image"
    assert attachment["mediaType"] == media_type
    assert isinstance(attachment["url"], str) and attachment["url"].startswith(f"{BASE}/media/ab/cd/")
    assert attachment["name"] == attachment["summary"] == "A red fox in snow"
    assert attachment["blurhash"] == "LEHV6nWB2yk8pyo0adR*.7kCMdnj"
    assert (attachment["width"], attachment["height"]) == (1024, 768)
    assert attachment["focalPoint"] == [0.25, -0.5]


def test_at_most_four_images():
    media = [image(id=n) for n in range(6)]
    assert len(note_of(post(), media)["attachment"]) == 4


def test_no_alt_text_is_null_not_empty():
    [attachment] = note_of(post(), [image(description="")])["attachment"]
    assert attachment["name"] is None and attachment["summary"] is None


@pytest.mark.parametrize("visibility, to, cc", [
    ("public", [PUBLIC], [f"{ALICE}/followers", "https://remote.example/users/bob"]),
    ("unlisted", [f"{ALICE}/followers"], [PUBLIC, "https://remote.example/users/bob"]),
    ("private", [f"{ALICE}/followers"], ["https://remote.example/users/bob"]),
    ("direct", ["https://remote.example/users/bob"], []),
])
def test_addressing_per_visibility(visibility, to, cc):
    note = note_of(post(visibility=visibility), mentions=[bob()])
    assert note["to"] == to and note["cc"] == cc


def test_stored_addressing_is_used():
    note = note_of(post(to_uris=["https://x.example/a"], cc_uris=["https://x.example/b"]))
    assert note["to"] == ["https://x.example/a"] and note["cc"] == ["https://x.example/b"]


@pytest.mark.parametrize("visibility, allowed", [
    ("public", [PUBLIC]), ("unlisted", [PUBLIC]), ("private", [ALICE]), ("direct", [ALICE]),
])
def test_every_post_states_its_quote_policy(visibility, allowed):
    policy = note_of(post(visibility=visibility))["interactionPolicy"]
    assert policy == {"canQuote": {"automaticApproval": allowed, "manualApproval": []}}


def test_mentions_and_hashtags_become_tags():
    note = note_of(post(tags=["fox", "snow"]), mentions=[bob(), alice()])
    assert note["tag"] == [
        {"type": "Mention", "href": "https://remote.example/users/bob", "name": "@bob@remote.example"},
        {"type": "Mention", "href": ALICE, "name": "@alice@node.test"},
        {"type": "Hashtag", "href": f"{BASE}/tags/fox", "name": "#fox"},
        {"type": "Hashtag", "href": f"{BASE}/tags/snow", "name": "#snow"},
    ]


def test_edited_spoiler_language_reply():
    edited = datetime(2026, 1, 3, 0, 0, 0, tzinfo=timezone.utc)
    note = note_of(post(edited_at=edited, spoiler_text="spiders", sensitive=True, language="en",
                        in_reply_to_uri="https://remote.example/notes/1"))
    assert note["updated"] == "2026-01-03T00:00:00Z"
    assert note["summary"] == "spiders" and note["sensitive"] is True
    assert note["contentMap"] == {"en": "<p>hello</p>"}
    assert note["inReplyTo"] == "https://remote.example/notes/1"


def test_quote_post_carries_every_spelling_and_a_link_tag():
    quoted = "https://remote.example/notes/9"
    note = note_of(post(quote_of_uri=quoted))
    assert note["quote"] == note["quoteUrl"] == note["_misskey_quote"] == quoted
    link = note["tag"][-1]
    assert link["type"] == "Link" and link["href"] == quoted
    assert "activitystreams" in link["mediaType"]


def test_generation_record():
    generation = {"prompt": "a fox in snow", "style": "watercolour", "generator": "procedural",
                  "model": "procedural-1", "seed": 1234, "source": None, "internal": "not sent"}
    note = note_of(post(generation=generation))
    assert note["generation"] == {"prompt": "a fox in snow", "style": "watercolour", "generator": "procedural",
                                  "model": "procedural-1", "seed": 1234}
