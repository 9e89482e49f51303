"""Talking to a Stable Diffusion server someone runs (AUTOMATIC1111/Forge, ComfyUI): the base
URL, optional auth, a timeout per request, retries of what may pass, bounded answers, and the
server's errors turned into the generator's typed errors.

What may pass is retried with backoff (no answer, a timeout, 429, 502/503/504); a server that
is still failing after the retries is BackendUnavailable, so the job is tried again later.
Other 5xx (a crash inside the server's pipeline, an out-of-memory) and 4xx are the server's
word on this request: a GenerationError carrying its message, so the job fails and says why.
"""

import asyncio
import base64
import json
from collections.abc import Callable

import aiohttp

from generation.errors import BackendUnavailable, GenerationError

MAX_JSON_BYTES = 64 * 1024 * 1024  # a base64 answer of a few large PNGs
MAX_IMAGE_BYTES = 50 * 1024 * 1024
RETRYABLE_STATUSES = frozenset({408, 429, 502, 503, 504})
MAX_MESSAGE_CHARS = 300


def auth_header(auth: str | None) -> dict[str, str]:
    """`user:password` is HTTP Basic (AUTOMATIC1111's --api-auth); anything else is a bearer
    token (the usual reverse proxy in front of ComfyUI)."""
    if not auth:
        return {}
    if ":" in auth and not auth.lower().startswith("bearer "):
        user, _, password = auth.partition(":")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}
    token = auth[7:] if auth.lower().startswith("bearer ") else auth
    return {"Authorization": f"Bearer {token.strip()}"}


class RemoteServer:
    """One server's HTTP endpoint. `describe` reads the server's own error message from a body."""

    def __init__(self, who: str, base_url: str | None, *, auth: str | None = None, timeout: float = 300.0,
                 retries: int = 2, retry_delay: float = 1.0, describe: Callable[[object], str | None] | None = None):
        if not base_url or not base_url.startswith(("http://", "https://")):
            raise GenerationError(f"the {who} generator needs the server's base URL "
                                  f"(MURALIST_GENERATOR_URL), e.g. http://127.0.0.1:7860, not {base_url!r}")
        if timeout <= 0 or retries < 0:
            raise GenerationError(f"the {who} generator needs a positive timeout and retries of 0 or more")
        self.who = who
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self.describe = describe or (lambda _body: None)
        self._headers = auth_header(auth)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self._headers,
                                                  timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def json(self, method: str, path: str, **kwargs) -> object:
        """The JSON body of a successful answer; errors as described in the module docstring."""
        body = await self._request(method, path, MAX_JSON_BYTES, kwargs)
        try:
            return json.loads(body)
        except (UnicodeDecodeError, ValueError):
            raise GenerationError(f"the {self.who} server answered {path} with something that is not JSON") from None

    async def content(self, path: str, params: dict | None = None, limit: int = MAX_IMAGE_BYTES) -> bytes:
        return await self._request("GET", path, limit, {"params": params})

    async def _request(self, method: str, path: str, limit: int, kwargs: dict) -> bytes:
        attempt = 0
        while True:
            try:
                return await self._once(method, path, limit, kwargs)
            except _Transient as exc:
                if attempt >= self.retries:
                    raise BackendUnavailable(f"the {self.who} server is unavailable: {exc}") from None
                delay = exc.retry_after if exc.retry_after is not None else self.retry_delay * 2**attempt
                await asyncio.sleep(min(delay, 60.0))
                attempt += 1

    async def _once(self, method: str, path: str, limit: int, kwargs: dict) -> bytes:
        # A multipart form is consumed by a send: rebuild it for every attempt.
        kwargs = {key: value() if callable(value) else value for key, value in kwargs.items()}
        try:
            async with self._client().request(method, self.base_url + path, **kwargs) as answer:
                body = await _read_limited(answer, limit, self.who)
                if answer.status < 300:
                    return body
                self._raise_for(answer, path, body)
        except TimeoutError:
            raise _Transient(f"no answer from {path} within {self.timeout:g} seconds") from None
        except aiohttp.ClientError as exc:
            raise _Transient(str(exc) or "the connection failed") from None

    def _raise_for(self, answer: aiohttp.ClientResponse, path: str, body: bytes) -> None:
        message = _message(body, self.describe)
        said = f" ({message})" if message else ""
        if answer.status in RETRYABLE_STATUSES:
            raise _Transient(f"{path} answered HTTP {answer.status}{said}", _retry_after(answer))
        if answer.status in (401, 403):
            raise GenerationError(f"the {self.who} server refused our credentials (HTTP {answer.status}); "
                                  f"check MURALIST_GENERATOR_AUTH{said}")
        if answer.status == 404:
            raise GenerationError(f"the {self.who} server has no {path} (HTTP 404); check MURALIST_GENERATOR_URL "
                                  f"and that its API is enabled{said}")
        raise GenerationError(f"the {self.who} server could not make the image (HTTP {answer.status}){said}")


class _Transient(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _retry_after(answer: aiohttp.ClientResponse) -> float | None:
    value = answer.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


async def _read_limited(answer: aiohttp.ClientResponse, limit: int, who: str) -> bytes:
    if answer.content_length is not None and answer.content_length > limit:
        raise GenerationError(f"the {who} server's answer is larger than {limit} bytes")
    body = bytearray()
    async for chunk in answer.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > limit:  # the declared length may be absent or wrong
            raise GenerationError(f"the {who} server's answer is larger than {limit} bytes")
    return bytes(body)


def _message(body: bytes, describe: Callable[[object], str | None]) -> str:
    """The server's own words from an error body, one line and bounded (users read it)."""
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        text = body.decode("utf-8", "replace")
    else:
        text = describe(parsed) or ""
    return " ".join(text.split())[:MAX_MESSAGE_CHARS]
