"""The streaming API over real WebSockets (aiohttp's ws_connect): authentication, subscribe and
unsubscribe messages, `update`, `delete` and `notification` events from local actions and from
remote activity processed by the inbox worker, and sockets closed on shutdown."""

import asyncio
import json
import time

import pytest
from aiohttp import WSMsgType, web

from node.app import create_app
from node.settings import Settings
from tests.api.federated import live_node

WAIT = 10.0


async def _user(node, name, **kwargs):
    await node.create_user(name, **kwargs)
    return await node.password_token(name)


async def _event(ws) -> dict:
    """The next event (not an error), with its payload decoded as clients do."""
    message = await ws.receive(timeout=WAIT)
    assert message.type == WSMsgType.TEXT, message
    event = json.loads(message.data)
    assert isinstance(event.get("payload"), str), event  # a JSON string, as Mastodon sends
    if event["event"] != "delete":
        event["payload"] = json.loads(event["payload"])
    return event


async def _nothing_more(ws) -> None:
    with pytest.raises(asyncio.TimeoutError):
        await ws.receive(timeout=0.5)


async def test_health(node, http):
    async with http.get(f"{node.base_url}/api/v1/streaming/health") as response:
        assert response.status == 200 and await response.text() == "OK"


async def test_user_stream_gets_posts_deletes_and_notifications(node, http):
    alice, bob = await _user(node, "alice"), await _user(node, "bob")
    bob_id = (await node.call(bob.me))["id"]
    await node.call(alice.account_follow, bob_id)
    # The token as the WebSocket protocol, echoed back (how browser clients authenticate).
    async with http.ws_connect(f"{node.base_url}/api/v1/streaming?stream=user",
                               protocols=(alice.access_token,)) as ws:
        assert ws.protocol == alice.access_token
        posted = await node.call(bob.status_post, "new mural")
        event = await _event(ws)
        assert event["stream"] == ["user"] and event["event"] == "update"
        assert event["payload"]["id"] == posted["id"] and event["payload"]["account"]["acct"] == "bob"
        await node.call(bob.status_delete, posted["id"])
        event = await _event(ws)
        assert event == {"stream": ["user"], "event": "delete", "payload": posted["id"]}
        await node.call(bob.account_follow, (await node.call(alice.me))["id"])
        event = await _event(ws)
        assert event["event"] == "notification" and event["payload"]["type"] == "follow"
        assert event["payload"]["account"]["acct"] == "bob"
        await _nothing_more(ws)


async def test_subscribe_messages_public_hashtag_and_errors(node, http):
    alice, bob = await _user(node, "alice"), await _user(node, "bob")
    url = f"{node.base_url}/api/v1/streaming?access_token={alice.access_token}"
    async with http.ws_connect(url) as ws:
        await ws.send_json({"type": "subscribe", "stream": "public:local"})
        await ws.send_json({"type": "subscribe", "stream": "hashtag", "tag": "Foxes"})
        await ws.send_json({"type": "subscribe", "stream": "user:notification"})
        await ws.send_json({"type": "subscribe", "stream": "nonsense"})
        error = json.loads((await ws.receive(timeout=WAIT)).data)
        assert error == {"error": "Unknown stream type", "status": 400}
        await ws.send_str("not json")
        assert json.loads((await ws.receive(timeout=WAIT)).data)["status"] == 400
        posted = await node.call(bob.status_post, "look at these #foxes")
        events = [await _event(ws), await _event(ws)]
        assert sorted(tuple(event["stream"]) for event in events) == [("hashtag", "foxes"), ("public:local",)]
        assert {event["payload"]["id"] for event in events} == {posted["id"]}
        await node.call(bob.status_post, "only followers", visibility="private")
        await ws.send_json({"type": "unsubscribe", "stream": "public:local"})
        await node.call(bob.status_post, "public, no tag")
        await node.call(bob.status_favourite, (await node.call(alice.status_post, "mine")))  # a notification
        event = await _event(ws)
        assert event["stream"] == ["user:notification"] and event["payload"]["type"] == "favourite"
        await _nothing_more(ws)


async def test_authentication_is_checked(node, http):
    await _user(node, "alice")
    url = f"{node.base_url}/api/v1/streaming"
    async with http.get(f"{url}?stream=user&access_token=wrong") as response:
        assert response.status == 401 and "error" in await response.json()
    async with http.get(f"{url}?stream=user", headers={"Upgrade": "websocket", "Connection": "Upgrade",
                                                       "Sec-WebSocket-Version": "13",
                                                       "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}) as response:
        assert response.status == 401 and "error" in await response.json()
    async with http.get(f"{url}?stream=hashtag") as response:
        assert response.status == 400 and "error" in await response.json()
    # Public streams need no token; asking for the user stream on such a socket is refused in-band.
    async with http.ws_connect(f"{url}?stream=public") as ws:
        await ws.send_json({"type": "subscribe", "stream": "user"})
        assert json.loads((await ws.receive(timeout=WAIT)).data) == {"error": "Missing access token", "status": 401}


async def test_remote_post_reaches_the_followers_stream(nodes):
    a, b = await live_node(nodes, "a"), await live_node(nodes, "b")
    alice, bob = await _user(a, "alice"), await _user(b, "bob")
    [account] = (await a.call(alice.search_v2, f"@bob@{b.settings.domain}", resolve=True))["accounts"]
    await a.call(alice.account_follow, account["id"])
    await nodes.settle()
    from aiohttp import ClientSession

    async with ClientSession() as http, http.ws_connect(
            f"{a.base_url}/api/v1/streaming", headers={"Authorization": f"Bearer {alice.access_token}"}) as ws:
        await ws.send_json({"type": "subscribe", "stream": "user"})
        await ws.send_json({"type": "subscribe", "stream": "public"})
        await asyncio.sleep(0.1)  # let the node read the subscriptions before the post arrives
        posted = await b.call(bob.status_post, "from the other server")
        await nodes.settle()
        events = [await _event(ws), await _event(ws)]
        assert sorted(event["stream"][0] for event in events) == ["public", "user"]
        for event in events:
            assert event["event"] == "update" and event["payload"]["uri"] == posted["uri"]
        await b.call(bob.status_delete, posted["id"])
        await nodes.settle()
        deletes = [await _event(ws), await _event(ws)]
        assert {event["event"] for event in deletes} == {"delete"}
        assert {event["payload"] for event in deletes} == {events[0]["payload"]["id"]}


async def test_shutdown_closes_open_streams(database_url, tmp_path, http):
    settings = Settings(domain="127.0.0.1:1", scheme="http", database_url=database_url,
                        media_dir=str(tmp_path / "media"), run_workers=False)
    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    ws = await http.ws_connect(f"http://127.0.0.1:{port}/api/v1/streaming?stream=public")
    started = time.monotonic()
    await runner.cleanup()
    message = await ws.receive(timeout=WAIT)
    assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
    assert time.monotonic() - started < 5  # not the 60 s graceful-shutdown wait
    await ws.close()
