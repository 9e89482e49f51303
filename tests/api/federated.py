"""Two or more complete nodes for client-API tests that cross servers: each node from
tests/nodes.py (its own database, served over real HTTP on loopback, workers driven by
`nodes.settle()`), wrapped as a LiveNode so Mastodon.py clients can sign in to it."""

from tests.api.conftest import LiveNode


async def live_node(nodes, name: str, **overrides) -> LiveNode:
    node = await nodes.start(name, **overrides)
    return LiveNode(node.app, node.settings, node.base_url)


async def signed_in(node: LiveNode, username: str, **kwargs):
    """A new local user on `node` and a Mastodon.py client signed in as her."""
    await node.create_user(username, **kwargs)
    return await node.password_token(username)
