"""What the loopback Stable Diffusion servers share: starting an aiohttp app on a free port,
scripted failures and delays, and pictures that tell the tests what was asked.

A picture's colour comes from (seed, prompt), so the same seed and prompt give the same
pixels and a different seed gives others; a remix blends that colour into the source, so the
tests can see the source came through.
"""

import asyncio
import base64
import hashlib
import io
from dataclasses import dataclass, field

from aiohttp import web
from PIL import Image


def picture(size: tuple[int, int], seed: int, prompt: str, source: Image.Image | None = None,
            strength: float = 1.0) -> bytes:
    digest = hashlib.sha256(f"{seed}|{prompt}".encode()).digest()
    top, bottom = Image.new("RGB", size, tuple(digest[:3])), Image.new("RGB", size, tuple(digest[3:6]))
    image = Image.composite(bottom, top, Image.linear_gradient("L").resize(size))
    if source is not None:
        image = Image.blend(source.convert("RGB").resize(size), image, strength)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass
class Scripted:
    status: int
    body: dict
    delay: float = 0.0
    headers: dict = field(default_factory=dict)


class LoopbackServer:
    """Subclasses add routes in `routes(app)`; `respond_next` scripts failures, `delay` slows all."""

    def __init__(self, *, auth_header: str | None = None) -> None:
        self.auth_header = auth_header  # the exact Authorization value required, if any
        self.calls: list[tuple[str, str]] = []  # (method, path) of every request
        self.delay = 0.0
        self._scripted: list[Scripted] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def respond_next(self, status: int, body: dict, *, times: int = 1, delay: float = 0.0,
                     headers: dict | None = None) -> None:
        self._scripted.extend(Scripted(status, body, delay, headers or {}) for _ in range(times))

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    @web.middleware
    async def _gate(self, request: web.Request, handler):
        self.calls.append((request.method, request.path))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.auth_header is not None and request.headers.get("Authorization") != self.auth_header:
            return web.json_response({"detail": "Not authenticated"}, status=401,
                                     headers={"WWW-Authenticate": "Basic"})
        if self._scripted:
            scripted = self._scripted.pop(0)
            await asyncio.sleep(scripted.delay)
            return web.json_response(scripted.body, status=scripted.status, headers=scripted.headers)
        return await handler(request)

    async def __aenter__(self):
        app = web.Application(middlewares=[self._gate], client_max_size=64 * 1024 * 1024)
        self.routes(app)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc) -> None:
        await self._runner.cleanup()
