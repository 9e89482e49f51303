"""fediverse-pasture's verify_actor, run against a Muralist actor on loopback: its test actors
that sign their requests can read the actor and post to its inbox, its unsigned POSTs are
refused, WebFinger leads back to the actor, and our signed fetches reach pasture's actors
that answer only signed requests."""

import aiohttp
from sqlalchemy import select

from storage.models import InboxItem

from tests.interop.interop_node import queue_report, remote

AS2 = "application/activity+json"


async def test_verify_actor_accepts_signed_and_refuses_unsigned(nodes, pasture):
    node = await nodes.start("a")
    alice = await node.create_user("alice")

    verdict = await pasture.verify_actor(alice.actor_uri)
    result, log = verdict["result"], "\n".join(map(str, verdict["messages"].get("steps", [])))

    assert result.pop("webfinger") is True, log
    assert set(result) == set(pasture.actors), log
    signing = {name for name, actor in pasture.actors.items() if actor["requires_signed_post_for_inbox"]}
    assert signing == {"bob", "claire", "emily", "frank"}
    for name, outcome in result.items():
        # Every test actor can read our (public) actor; only signed POSTs reach the inbox.
        expected = {"get_actor": True, "post_inbox": name in signing}
        assert outcome == expected, f"{name}: {outcome} != {expected}\n{log}"

    # pasture's unsigned POST is not even an activity (an EchoRequest without an actor); the
    # same Like its signing actors sent, from its unsigned actor, is refused for want of a signature.
    like = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Like",
            "id": pasture.actors["alice"]["uri"] + "#unsigned-like", "actor": pasture.actors["alice"]["uri"],
            "object": pasture.actors["alice"]["uri"]}
    async with aiohttp.ClientSession() as http:
        async with http.post(alice.inbox_uri, json=like, headers={"content-type": AS2}) as response:
            assert response.status == 401, await response.text()

    # The signed Likes were stored for the workers, and processing them goes through cleanly
    # (they like pasture's own actors, not a post of ours, so nothing is counted).
    async with node.session() as session:
        items = list((await session.execute(select(InboxItem))).scalars())
    assert sorted((item.activity_type, item.actor_uri) for item in items) == sorted(
        ("Like", pasture.actors[name]["uri"]) for name in signing)
    await nodes.settle()
    async with node.session() as session:
        states = set((await session.execute(select(InboxItem.state))).scalars())
    assert states == {"done"}, await queue_report(node)


async def test_signed_fetch_of_signed_fetch_only_actors(nodes, pasture):
    node = await nodes.start("a")
    only_signed = [name for name, actor in pasture.actors.items() if actor["requires_signed_get_for_actor"]]
    assert sorted(only_signed) == ["claire", "frank"]
    async with aiohttp.ClientSession() as http:
        for name in only_signed:
            async with http.get(pasture.actors[name]["uri"], headers={"accept": AS2}) as response:
                assert response.status == 401, f"pasture served {name} to an unsigned GET"

    for name in only_signed:
        account = await remote(node, pasture.actors[name]["uri"])
        assert account.actor_uri == pasture.actors[name]["uri"]
        # frank has no preferredUsername (and no WebFinger): he is named after his id.
        user_part = pasture.actors[name]["user_part"]
        assert account.username == user_part if user_part else account.username.startswith(f"{name}_")
        assert account.inbox_uri == f"{account.actor_uri}/inbox"
        assert account.public_key_id == f"{account.actor_uri}#main"
        assert "BEGIN PUBLIC KEY" in account.public_key_pem
