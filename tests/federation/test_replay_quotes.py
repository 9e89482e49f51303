"""Mastodon 4.5's quote payloads (tests/fixtures/mastodon/*quote*.json), replayed through a
node's inbox: a Mastodon user quoting a post of ours (the quote post, its QuoteRequest, the
Update that carries our authorization), and a user of ours quoting a Mastodon post (its
Accept, its Reject, and the revocation of its authorization)."""

import aiohttp
import pytest
from sqlalchemy import select

from node import actions, context
from storage.models import Account, InboxItem, Notification, Post, PostEdit, Quote

from tests.federation.test_replay_fixtures import make_scene
from tests.fixtures import replay
from tests.peer import Peer

AS2 = "application/activity+json"


@pytest.fixture
async def peer():
    server = await Peer().start()
    yield server
    await server.close()


def load(scene, name: str, **values) -> dict:
    base = {"peer": scene.peer.base, "actor": scene.actor.uri, "local_actor": scene.alice.actor_uri,
            "local_note": scene.local_note.object_uri, "note": f"{scene.actor.uri}/statuses/115582395416577234"}
    return replay.load("mastodon", name, **{**base, **values})


async def send(scene, activity: dict, *, inbox: str = "/users/alice/inbox") -> InboxItem:
    """Mastodon sends quote requests and their answers to the actor's own inbox."""
    response = await scene.peer.send(scene.actor, scene.node.base_url + inbox, activity)
    assert response.status == 202
    await scene.nodes.settle()
    async with scene.node.session() as session:
        item = (await session.execute(select(InboxItem).where(InboxItem.activity_uri == activity["id"]))).scalar_one()
    assert item.state == "done", item.last_error
    return item


async def quote_of(scene, post_uri: str) -> Quote:
    async with scene.node.session() as session:
        post = (await session.execute(select(Post).where(Post.object_uri == post_uri))).scalar_one()
        return (await session.execute(select(Quote).where(Quote.post_id == post.id))).scalar_one()


async def test_a_mastodon_quote_of_our_post_is_asked_for_and_accepted(nodes, peer):
    scene = await make_scene(nodes, peer, "mastodon")
    create = load(scene, "create_quote_post")
    await send(scene, create, inbox="/inbox")
    quote = await quote_of(scene, create["object"]["id"])
    assert quote.state == "pending" and quote.quoted_post_id == scene.local_note.id

    request = load(scene, "quote_request")
    await send(scene, request)
    quote = await quote_of(scene, create["object"]["id"])
    assert quote.state == "accepted" and quote.request_uri == request["id"]
    [accept] = [a for a in peer.received if a["type"] == "Accept"]
    assert accept["object"]["id"] == request["id"] and accept["result"] == quote.authorization_uri
    assert accept["result"].startswith(f"{scene.alice.actor_uri}/quote_authorizations/")
    async with scene.node.session() as session:
        kinds = list((await session.execute(select(Notification.type))).scalars())
        counted = (await session.get(Post, scene.local_note.id)).quotes_count
    assert kinds == ["quote"] and counted == 1

    # The stamp is served at its id, for any server that checks.
    async with aiohttp.ClientSession() as http:
        async with http.get(accept["result"], headers={"Accept": AS2}) as response:
            stamp = await response.json(content_type=None)
    assert stamp["interactingObject"] == create["object"]["id"]
    assert stamp["interactionTarget"] == scene.local_note.object_uri

    # Mastodon then sends an Update carrying our authorization; nothing was edited.
    await send(scene, load(scene, "update_quote_post", quote_authorization=accept["result"]), inbox="/inbox")
    async with scene.node.session() as session:
        post = (await session.execute(select(Post).where(Post.object_uri == create["object"]["id"]))).scalar_one()
        edits = list((await session.execute(select(PostEdit).where(PostEdit.post_id == post.id))).scalars())
    assert post.edited_at is None and edits == []
    assert (await quote_of(scene, create["object"]["id"])).state == "accepted"


async def _our_quote_of_a_mastodon_post(scene) -> tuple[Post, Quote, dict]:
    """Alice quotes a Mastodon post (one that lets everyone quote it): pending, QuoteRequest sent."""
    create = load(scene, "create_quote_post")
    await send(scene, create, inbox="/inbox")
    settings = scene.node.app[context.SETTINGS]
    async with scene.node.session() as session:
        theirs = (await session.execute(select(Post).where(Post.object_uri == create["object"]["id"]))).scalar_one()
        alice = await session.get(Account, scene.alice.id)
        mine = await actions.create_post(session, settings, alice, text="quoting felix", quote_of_id=theirs.id)
        await session.commit()
        quote = (await session.execute(select(Quote).where(Quote.post_id == mine.id))).scalar_one()
    await scene.nodes.settle()
    assert quote.state == "pending"
    [request] = [a for a in scene.peer.received if a["type"] == "QuoteRequest"]
    assert request["id"] == quote.request_uri and request["object"] == theirs.object_uri
    assert request["instrument"]["id"] == mine.object_uri and request["instrument"]["quote"] == theirs.object_uri
    # To the author's own inbox, as Mastodon sends and expects it.
    assert [path for path, sent in scene.peer.deliveries if sent == request["id"]] == ["/users/felix/inbox"]
    return mine, quote, create


async def test_our_quote_of_a_mastodon_post_is_accepted_then_revoked(nodes, peer):
    scene = await make_scene(nodes, peer, "mastodon")
    mine, quote, create = await _our_quote_of_a_mastodon_post(scene)
    accept = load(scene, "accept_quote_request", quote_request=quote.request_uri, note=create["object"]["id"],
                  local_note=mine.object_uri)
    await send(scene, accept)
    quote = await quote_of(scene, mine.object_uri)
    assert quote.state == "accepted" and quote.authorization_uri == accept["result"]
    # Everyone the post reached hears of the authorization through an Update.
    [update] = [a for a in peer.received if a["type"] == "Update" and a["object"]["id"] == mine.object_uri]
    assert update["object"]["quoteAuthorization"] == accept["result"]

    revoke = load(scene, "delete_quote_authorization", note=create["object"]["id"], local_note=mine.object_uri)
    assert revoke["object"]["id"] == accept["result"]
    await send(scene, revoke, inbox="/inbox")
    assert (await quote_of(scene, mine.object_uri)).state == "revoked"


async def test_our_quote_of_a_mastodon_post_is_rejected(nodes, peer):
    scene = await make_scene(nodes, peer, "mastodon")
    mine, quote, create = await _our_quote_of_a_mastodon_post(scene)
    await send(scene, load(scene, "reject_quote_request", quote_request=quote.request_uri,
                           note=create["object"]["id"], local_note=mine.object_uri))
    assert (await quote_of(scene, mine.object_uri)).state == "rejected"
