"""A node for the fuzz suite: served over real HTTP from an event loop on a thread of its own,
with a peer server beside it, seeded with real rows, and called with `requests` from the test's
thread, so Hypothesis drives it from plain synchronous tests, one node per test module.

tests/fuzz/seed.py fills it with real rows. The node runs without background workers; `settle()` processes its queues on its own loop,
as tests/nodes.py does. Every ERROR log record (the error middleware logs each unhandled
exception with its traceback, aiohttp logs what escapes it) is kept for the request it belongs to.
"""

import asyncio
import io
import json
import logging
import threading
from dataclasses import dataclass, field, fields

import requests
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from PIL import Image
from sqlalchemy import select

from activitypub.signatures import sign_request
from node import context
from node.app import create_app
from node.settings import Settings
from node.workers import WORKERS
from storage.models import InboxItem

from tests.conftest import migrate_sync, new_database_url
from tests.nodes import free_port
from tests.peer import Peer

PASSWORD = "correct horse battery"
# RFC 7636 appendix B's PKCE pair.
PKCE_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
PKCE_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
AS2 = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


class LoopThread:
    """An event loop running forever on a daemon thread; `run()` waits for one coroutine on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzz-node", daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 120.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def parser_rejection(record: logging.LogRecord) -> bool:
    """aiohttp's HTTP parser refusing a malformed request (a request line over 8 KiB, a bad
    header): aiohttp answers 400 itself and logs it at ERROR; no handler of the node ran."""
    exc = record.exc_info[1] if record.exc_info else None
    return record.name == "aiohttp.server" and isinstance(exc, HttpProcessingError) and exc.code == 400


class ErrorRecords(logging.Handler):
    """Keeps every record at ERROR or above, from any logger and any thread, except aiohttp's
    parser rejections (see `parser_rejection`)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.parser_rejections = 0

    def emit(self, record: logging.LogRecord) -> None:
        if parser_rejection(record):
            self.parser_rejections += 1
            return
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        taken, self.records = self.records, []
        return taken


def formatted(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    return "\n".join(formatter.format(record) for record in records)


@dataclass
class Seeds:
    """Real rows of the seeded node, by the kind of path parameter they fill."""

    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, *items) -> None:
        bucket = self.values.setdefault(kind, [])
        bucket.extend(str(item) for item in items if item is not None and str(item) not in bucket)

    def of(self, kind: str) -> list[str]:
        return list(self.values.get(kind, []))


def png_bytes(size: int = 8) -> bytes:
    """A small real PNG, for uploads that should succeed."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


class FuzzNode:
    """One node and its peer on a thread's event loop; `start()`, then `close()` whatever happened."""

    def __init__(self, tmp_path) -> None:
        self.tmp_path = tmp_path
        self.loop = LoopThread()
        self.errors = ErrorRecords()
        self.http = requests.Session()
        self.seeds = Seeds()
        self.tokens: dict[str, str] = {}
        self.password = PASSWORD
        # Filled by tests/fuzz/seed.py and tests/fuzz/templates.py.
        self.app_token = ""
        self.authorize_form: dict[str, str] = {}
        self.authorize_cookie = ""
        self.authorization_code = ""
        self.templates: dict = {}
        self.peer: Peer | None = None
        self.peer_actor = None
        self.runner = None
        self._drop = lambda: None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> "FuzzNode":
        url, self._drop = new_database_url(self.tmp_path)
        migrate_sync(url)
        port = free_port()
        # Request rate limits off: thousands of requests from one address would otherwise be
        # answered 429 after the first few hundred and reach no handler (the limits have tests of
        # their own). Generation keeps its limit: it bounds the images the workers make.
        unlimited = {item.name: "unlimited" for item in fields(Settings) if item.name.startswith("rate_limit_")}
        self.settings = Settings(
            domain=f"127.0.0.1:{port}", scheme="http", bind=f"127.0.0.1:{port}", database_url=url,
            media_dir=str(self.tmp_path / "fuzz-media"), allow_private_addresses=True, run_workers=False,
            **unlimited,
        )
        self.base_url = self.settings.base_url
        self.loop.run(self._serve(port))
        logging.getLogger().addHandler(self.errors)
        return self

    async def _serve(self, port: int) -> None:
        self.peer = await Peer().start()
        self.peer_actor = self.peer.add_actor("fuzzer")
        self.app = create_app(self.settings)
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()

    def close(self) -> None:
        logging.getLogger().removeHandler(self.errors)
        self.http.close()

        async def _stop():
            if self.runner is not None:
                await self.runner.cleanup()
            if self.peer is not None:
                await self.peer.close()

        try:
            self.loop.run(_stop())
        finally:
            self.loop.close()
            self._drop()

    # --- calling it -----------------------------------------------------------------------

    def send(self, method: str, url: str, *, headers: dict | None = None, body: bytes | None = None,
             timeout: float = 60.0) -> requests.Response:
        """Send exactly this request: the URL is not re-quoted and the body not re-encoded."""
        request = requests.Request(method, self.base_url + "/", headers=headers or {})
        prepared = self.http.prepare_request(request)
        prepared.url = url if url.startswith("http") else self.base_url + url
        prepared.body = body
        if body is not None:
            prepared.headers["Content-Length"] = str(len(body))
        else:
            prepared.headers.pop("Content-Length", None)
        return self.http.send(prepared, timeout=timeout, allow_redirects=False)

    def api(self, method: str, path: str, token: str | None = None, *, headers: dict | None = None,
            **kwargs) -> requests.Response:
        headers = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        response = self.http.request(method, self.base_url + path, headers=headers, timeout=60, **kwargs)
        assert response.status_code < 300, f"seeding {method} {path}: {response.status_code} {response.text}"
        return response

    def settle(self, max_rounds: int = 50) -> None:
        async def _settle():
            for _ in range(max_rounds):
                if await self.app[WORKERS].settle_once() == 0:
                    return
            raise AssertionError("the fuzzed node did not settle")

        self.loop.run(_settle(), timeout=300)

    def assert_serving(self) -> None:
        """The node still answers, and nothing was logged at ERROR on the way here."""
        response = self.http.get(self.base_url + "/api/v1/instance", timeout=30)
        assert response.status_code == 200, f"/api/v1/instance answered {response.status_code}"
        records = self.errors.take()
        assert not records, "errors were logged:\n" + formatted(records)

    def inbox_failures(self, activity_uri: str | None = None) -> list[tuple[str, str, str]]:
        """(activity type, state, traceback) of every inbox row whose processing failed (or of
        the one row of `activity_uri`)."""
        async def _read():
            query = select(InboxItem.activity_type, InboxItem.state, InboxItem.last_error)
            query = query.where(InboxItem.activity_uri == activity_uri) if activity_uri else \
                query.where(InboxItem.last_error.is_not(None))
            async with self.app[context.SESSIONMAKER]() as session:
                return [(kind, state, error or "") for kind, state, error in (await session.execute(query)).all()]

        return self.loop.run(_read())

    def sign_and_send(self, path: str, activity: dict, *, actor=None) -> requests.Response:
        """POST an activity signed by the peer's actor (draft-cavage, as tests/peer.py signs)."""
        actor = actor or self.peer_actor
        body = json.dumps(activity).encode()
        headers = sign_request("POST", self.base_url + path, {"Content-Type": AS2}, body, actor.key_id,
                               actor.private_pem)
        return self.send("POST", path, headers=headers, body=body)
