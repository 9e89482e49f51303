"""Client API fixtures: a node served over real HTTP on a loopback port, and helpers to sign in.

Mastodon.py is synchronous (requests), so tests call it through `asyncio.to_thread` while the
event loop keeps serving the node.
"""

import asyncio
import re
import socket
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import ClientSession, CookieJar, web
from mastodon import Mastodon

from node import context
from node.app import create_app
from node.settings import Settings
from tests.conftest import create_user

SCOPES = ["read", "write", "follow", "push"]
PASSWORD = "correct horse battery"


@dataclass
class LiveNode:
    app: web.Application
    settings: Settings
    base_url: str

    async def call(self, function, *args, **kwargs):
        """Run a blocking client call in a thread so the node can answer it."""
        return await asyncio.to_thread(function, *args, **kwargs)

    def client(self, **kwargs) -> Mastodon:
        return Mastodon(api_base_url=self.base_url, **kwargs)

    async def register_app(self, scopes=SCOPES, redirect_uris=None) -> tuple[str, str]:
        return await self.call(
            Mastodon.create_app, "Muralist tests", scopes=scopes, redirect_uris=redirect_uris,
            api_base_url=self.base_url,
        )

    async def create_user(self, username: str, **kwargs):
        return await create_user(self.app, username, password=PASSWORD, **kwargs)

    async def password_token(self, username: str, scopes=SCOPES) -> Mastodon:
        """A Mastodon.py client signed in as `username` with the password grant."""
        client_id, client_secret = await self.register_app(scopes)
        api = self.client(client_id=client_id, client_secret=client_secret)
        await self.call(api.log_in, f"{username}@example.org", PASSWORD, scopes=scopes, allow_http=True)
        return api

    async def session(self):
        return self.app[context.SESSIONMAKER]()


@pytest.fixture
async def start_node(database_url, tmp_path):
    """Start a node on 127.0.0.1 with a free port; settings changes as keyword arguments."""
    runners = []

    async def start(**changes) -> LiveNode:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        settings = Settings(
            domain=f"127.0.0.1:{port}", scheme="http", bind=f"127.0.0.1:{port}", database_url=database_url,
            media_dir=str(tmp_path / "media"), allow_private_addresses=True, **changes,
        )
        runner = web.AppRunner(create_app(settings))
        await runner.setup()
        runners.append(runner)
        await web.SockSite(runner, sock).start()
        return LiveNode(runner.app, settings, settings.base_url)

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def node(start_node) -> LiveNode:
    return await start_node()


@pytest.fixture
async def http():
    # unsafe=True: aiohttp's cookie jar refuses cookies from IP-address hosts by default.
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        yield session


def form_fields(html: str) -> dict[str, str]:
    """The hidden inputs of the authorize page."""
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', html)
    }


async def authorize(http: ClientSession, url: str, login: str, password: str = PASSWORD,
                    decision: str = "approve"):
    """Drive the authorize page like a browser: load it, sign in, approve; answers the last response."""
    async with http.get(url) as page:
        assert page.status == 200, await page.text()
        fields = form_fields(await page.text())
    form = {**fields, "login": login, "password": password, "decision": decision}
    action = url.split("/oauth/authorize")[0] + "/oauth/authorize"
    response = await http.post(action, data=form, allow_redirects=False)
    await response.read()
    return response


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
