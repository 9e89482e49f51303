"""`muralist serve` with its processes, as `make run` starts it: two web servers share the
port, a worker process processes and delivers, and they tell each other what they commit over
a socket (SQLite) or NOTIFY (PostgreSQL): a remote post the worker stores reaches the web
servers' streams, work a web server queues wakes the worker, and the children stop with
their `serve`."""

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import aiohttp

from tests.nodes import free_port
from tests.peer import Peer

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
WAIT = 20.0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


async def _read_until(stream, text: str) -> list[str]:
    lines = []
    while True:
        line = await asyncio.wait_for(stream.readline(), WAIT)
        assert line, f"serve stopped before printing {text!r}"
        lines.append(line.decode())
        if text in lines[-1]:
            return lines


async def _token(http, base: str) -> str:
    async with http.post(f"{base}/api/v1/apps", json={"client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                                                      "scopes": "read write"}) as response:
        app = await response.json()
    async with http.post(f"{base}/oauth/token", json={
            "grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"],
            "username": "zoe@example.org", "password": "long-enough", "scope": "read write"}) as response:
        return (await response.json())["access_token"]


async def _until(condition) -> None:
    for _ in range(int(WAIT / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_serve_runs_its_workers_in_processes_that_share_their_commits(database_url, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, MURALIST_DATABASE_URL=database_url, MURALIST_SCHEME="http",
               MURALIST_DOMAIN=f"127.0.0.1:{port}", MURALIST_BIND=f"127.0.0.1:{port}",
               MURALIST_MEDIA_DIR=str(tmp_path / "media"), MURALIST_ALLOW_PRIVATE_ADDRESSES="true",
               MURALIST_WORKERS="1", MURALIST_WEB_PROCESSES="2")
    command = [sys.executable, "-m", "node.cli"]
    created = await asyncio.create_subprocess_exec(*command, "user", "create", "zoe", "--email", "zoe@example.org",
                                                   "--password", "long-enough", env=env,
                                                   stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    assert await created.wait() == 0
    peer = await Peer().start()
    server = await asyncio.create_subprocess_exec(*command, "serve", env=env, stdout=asyncio.subprocess.PIPE,
                                                  stderr=asyncio.subprocess.STDOUT)
    try:
        # It says it serves once its worker process runs, not before.
        lines = await _read_until(server.stdout, "Muralist is serving")
        assert any("worker for" in line for line in lines), lines
        children = _children(server.pid)  # a worker process and a second web server
        assert len(children) == 2, children
        bob = peer.add_actor("bob")
        async with aiohttp.ClientSession() as http:
            token = await _token(http, base)
            async with http.ws_connect(f"{base}/api/v1/streaming?stream=public&access_token={token}") as ws:
                # A remote post, stored by the worker process, reaches the web process's stream.
                note = {"id": f"{bob.uri}/statuses/1", "type": "Note", "attributedTo": bob.uri, "to": [PUBLIC],
                        "content": "<p>from afar</p>"}
                create = {"id": f"{note['id']}/activity", "type": "Create", "actor": bob.uri, "object": note}
                assert (await peer.send(bob, f"{base}/inbox", create)).status == 202
                message = await ws.receive(timeout=WAIT)
                event = json.loads(message.data)
                assert event["event"] == "update" and json.loads(event["payload"])["uri"] == note["id"]

            # Work the web process queues (an Accept to a new follower, then a post's Create)
            # wakes the worker process, which delivers it.
            follow = {"id": f"{bob.uri}#follows/1", "type": "Follow", "actor": bob.uri,
                      "object": f"{base}/users/zoe"}
            assert (await peer.send(bob, f"{base}/users/zoe/inbox", follow)).status == 202
            await _until(lambda: any(a["type"] == "Accept" for a in peer.received))
            headers = {"Authorization": f"Bearer {token}"}
            async with http.post(f"{base}/api/v1/statuses", json={"status": "hello bob"}, headers=headers) as response:
                assert response.status == 200
            await _until(lambda: any(a["type"] == "Create" for a in peer.received))
    finally:
        server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), WAIT)
        await peer.close()
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()], "a child outlived its serve"
