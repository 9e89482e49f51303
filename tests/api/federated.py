"""Two or more complete nodes for client-API tests that cross servers: each node from
tests/nodes.py (its own database, served over real HTTP on loopback, workers driven by
`nodes.settle()`), wrapped as a LiveNode so Mastodon.py clients can sign in to it."""

import asyncio

from tests.api.conftest import LiveNode


async def live_node(nodes, name: str, **overrides) -> LiveNode:
    node = await nodes.start(name, **overrides)
    return LiveNode(node.app, node.settings, node.base_url)


async def signed_in(node: LiveNode, username: str, **kwargs):
    """A new local user on `node` and a Mastodon.py client signed in as her."""
    await node.create_user(username, **kwargs)
    return await node.password_token(username)


async def generated(node: LiveNode, api, http, nodes, **fields) -> dict:
    """Ask `node` for an image through the generations API, drive the workers until the job
    is done, and return the finished job."""
    headers = {"Authorization": f"Bearer {api.access_token}"}
    async with http.post(f"{node.base_url}/api/v1/generations", headers=headers, json=fields) as response:
        assert response.status == 202, await response.text()
        job = await response.json()
    for _ in range(40):
        await nodes.settle()  # the generation loop is one of the workers settle() drives
        async with http.get(f"{node.base_url}/api/v1/generations/{job['id']}", headers=headers) as response:
            job = await response.json()
        if job["state"] in ("done", "failed"):
            break
        await asyncio.sleep(0.05)
    assert job["state"] == "done", job
    return job
