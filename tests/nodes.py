"""Complete nodes served over real HTTP on loopback ports, each with its own database, for
federation tests; `Nodes.settle()` drives every node's workers until no work is left."""

import socket
from dataclasses import dataclass

from aiohttp import web

from node import context
from node.app import create_app
from node.settings import Settings
from node.workers import WORKERS

from tests.conftest import create_user, migrate_sync, new_database_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Node:
    name: str
    app: web.Application
    runner: web.AppRunner
    settings: Settings

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    @property
    def domain(self) -> str:
        return self.settings.domain

    def session(self):
        return self.app[context.SESSIONMAKER]()

    async def create_user(self, username: str, **kw):
        return await create_user(self.app, username, **kw)

    async def settle_once(self) -> int:
        return await self.app[WORKERS].settle_once()


class Nodes:
    def __init__(self, tmp_path) -> None:
        self.tmp_path = tmp_path
        self.nodes: list[Node] = []
        self._drops = []

    async def start(self, name: str, **overrides) -> Node:
        url, drop = new_database_url(self.tmp_path)
        self._drops.append(drop)
        migrate_sync(url)
        port = free_port()
        settings = Settings(
            domain=f"127.0.0.1:{port}", scheme="http", bind=f"127.0.0.1:{port}", database_url=url,
            media_dir=str(self.tmp_path / f"media-{name}"), allow_private_addresses=True, run_workers=False,
            **overrides,
        )
        app = create_app(settings)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        node = Node(name, app, runner, settings)
        self.nodes.append(node)
        return node

    async def settle(self, max_rounds: int = 50) -> None:
        """Process inboxes and deliveries on every node until a whole pass finds nothing due."""
        for _ in range(max_rounds):
            worked = 0
            for node in self.nodes:
                worked += await node.settle_once()
            if worked == 0:
                return
        raise AssertionError("the nodes did not settle")

    async def close(self) -> None:
        for node in self.nodes:
            await node.runner.cleanup()
        for drop in self._drops:
            drop()
