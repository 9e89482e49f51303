"""Issue 11, inbox bodies: a correctly signed body that is not a UTF-8 JSON object (UTF-16,
a lone surrogate in an id, nesting a thousand deep) answers 400, and a delivery that cannot
be stored never fails the deliveries grouped into the same commit with it."""

import asyncio
import json

import pytest
from sqlalchemy import func, select

from activitypub.inbox.receive import InboxWriter, Received
from activitypub.signatures import sign_request
from node import context
from storage.models import InboxItem

from tests.peer import AS2, Peer


@pytest.fixture
async def peer():
    server = await Peer().start()
    yield server
    await server.close()


def signed_as(actor, url, raw: bytes):
    """A `tamper` for Peer.send that sends `raw` instead, correctly signed over it."""

    def tamper(_body, _headers):
        return raw, sign_request("POST", url, {"Content-Type": AS2}, raw, actor.key_id, actor.private_pem)

    return tamper


async def _stored(node) -> list[str]:
    async with node.session() as session:
        return list((await session.execute(select(InboxItem.activity_uri))).scalars())


def _follow(actor, target, n: int) -> dict:
    return {"id": f"{actor.uri}#follows/{n}", "type": "Follow", "actor": actor.uri, "object": target}


async def test_non_utf8_bodies_answer_400_and_spare_the_others(nodes, peer):
    node = await nodes.start("a")
    alice = await node.create_user("alice")
    bob = peer.add_actor("bob")
    inbox = f"{node.base_url}/inbox"
    utf16 = json.dumps(_follow(bob, alice.actor_uri, 1)).encode("utf-16")
    latin1 = json.dumps(_follow(bob, alice.actor_uri, 2), ensure_ascii=False).replace(
        "follows", "föllows").encode("latin-1")
    sent = await asyncio.gather(
        peer.send(bob, inbox, {}, tamper=signed_as(bob, inbox, utf16)),
        peer.send(bob, inbox, _follow(bob, alice.actor_uri, 3)),
        peer.send(bob, inbox, {}, tamper=signed_as(bob, inbox, latin1)),
        peer.send(bob, inbox, _follow(bob, alice.actor_uri, 4)),
    )
    assert [response.status for response in sent] == [400, 202, 400, 202]
    assert sorted(await _stored(node)) == [f"{bob.uri}#follows/3", f"{bob.uri}#follows/4"]


@pytest.mark.parametrize("edit", [
    pytest.param(lambda a: dict(a, id=a["id"] + "\ud800"), id="lone surrogate in the id"),
    pytest.param(lambda a: dict(a, id=a["id"] + "\u0000"), id="NUL in the id"),
    pytest.param(lambda a: dict(a, id=a["id"] + "x" * 3000), id="id longer than the column"),
    pytest.param(lambda a: dict(a, type="https://example.org/ns#" + "T" * 80), id="type longer than the column"),
    pytest.param(lambda a: dict(a, object=json.loads("[" * 200 + "1" + "]" * 200)), id="nested 200 deep"),
])
async def test_signed_bodies_that_cannot_be_stored_answer_400(nodes, peer, edit):
    node = await nodes.start("a")
    alice = await node.create_user("alice")
    bob = peer.add_actor("bob")
    inbox = f"{node.base_url}/inbox"
    # json.dumps writes a lone surrogate or a NUL as an escape: the body itself is valid UTF-8.
    response = await peer.send(bob, inbox, edit(_follow(bob, alice.actor_uri, 1)))
    assert response.status == 400
    assert (await peer.send(bob, inbox, _follow(bob, alice.actor_uri, 2))).status == 202
    assert await _stored(node) == [f"{bob.uri}#follows/2"]


async def test_json_nested_past_the_parser_answers_400(nodes, peer):
    node = await nodes.start("a")
    bob = peer.add_actor("bob")
    inbox = f"{node.base_url}/inbox"
    deep = b'{"type": "Like", "actor": "' + bob.uri.encode() + b'", "object": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = await peer.send(bob, inbox, {}, tamper=signed_as(bob, inbox, deep))
    assert response.status == 400


async def test_a_row_the_database_refuses_fails_alone_in_its_group(nodes):
    node = await nodes.start("a")
    writer = InboxWriter(node.app[context.SESSIONMAKER])
    actor = "http://peer.example/users/bob"

    def activity(n: int, suffix: str = "") -> tuple[dict, bytes]:
        document = {"id": f"{actor}#likes/{n}{suffix}", "type": "Like", "actor": actor, "object": actor}
        return document, json.dumps(document).encode()

    good1, good2 = activity(1), activity(2)
    # Neither reaches the writer from the inbox any more (parse_activity answers 400), but
    # whatever else a database may refuse must cost only its own delivery.
    surrogate = activity(3, "\ud800")
    utf16 = (activity(4)[0], json.dumps(activity(4)[0]).encode("utf-16"))
    results = await asyncio.gather(*(writer.store(document, body, None)
                                     for document, body in (good1, surrogate, good2, utf16)),
                                   return_exceptions=True)
    await writer.close()
    assert isinstance(results[0], Received) and not results[0].duplicate
    assert isinstance(results[2], Received) and not results[2].duplicate
    assert isinstance(results[1], Exception) and isinstance(results[3], Exception)
    assert sorted(await _stored(node)) == [f"{actor}#likes/1", f"{actor}#likes/2"]
    # A duplicate in a later group is still a duplicate, not an error.
    again = await asyncio.gather(writer.store(*good1, None), writer.store(*surrogate, None),
                                 return_exceptions=True)
    assert again[0] == Received(None, True) and isinstance(again[1], Exception)
    async with node.session() as session:
        assert (await session.execute(select(func.count()).select_from(InboxItem))).scalar_one() == 2


async def test_nul_and_lone_surrogates_in_a_post_are_dropped_not_fatal(nodes, peer):
    """JSON can carry "\\u0000" and "\\ud800" inside a post's text; no database column can hold
    them (PostgreSQL refuses NUL; neither encodes a lone surrogate), so they are dropped."""
    from storage.models import Account, Post

    node = await nodes.start("a")
    await node.create_user("alice")
    bob = peer.add_actor("bob", name="Bob\u0000\ud800 Builder")
    note = {"id": f"{bob.uri}/statuses/1", "type": "Note", "attributedTo": bob.uri,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": "<p>a\u0000b\ud800c</p>", "summary": "cw\u0000", "tag": [{"type": "Hashtag", "name": "#t\u0000ag"}]}
    create = {"id": f"{note['id']}/activity", "type": "Create", "actor": bob.uri, "object": note}
    assert (await peer.send(bob, f"{node.base_url}/inbox", create)).status == 202
    await nodes.settle()
    async with node.session() as session:
        item = (await session.execute(select(InboxItem))).scalar_one()
        assert item.state == "done", item.last_error
        post = (await session.execute(select(Post).where(Post.object_uri == note["id"]))).scalar_one()
        author = (await session.execute(select(Account).where(Account.actor_uri == bob.uri))).scalar_one()
    assert post.content == "<p>abc</p>" and post.spoiler_text == "cw" and post.tags == ["tag"]
    assert author.display_name == "Bob Builder"


async def test_a_lone_surrogate_in_an_answer_is_dropped_before_any_handler(nodes, peer):
    node = await nodes.start("a")
    await node.create_user("alice")
    bob = peer.add_actor("bob")
    accept = {"id": f"{bob.uri}#accepts/odd", "type": "Accept", "actor": bob.uri, "object": "\ud800"}
    assert (await peer.send(bob, f"{node.base_url}/inbox", accept)).status == 202
    await nodes.settle()
    async with node.session() as session:
        item = (await session.execute(select(InboxItem))).scalar_one()
    assert item.state == "done" and item.attempts == 1, item.last_error
