"""An OpenAI-compatible image API served on loopback, for tests of the `openai` backend.

It checks what the real service checks that matters to us (the bearer key,
the model, the JSON body of /v1/images/generations, the multipart form of
/v1/images/edits) and answers with real PNG images, either inline
(`b64_json`) or as a `url` it serves itself. It can be told to fail first:
rate limits, server errors, moderation refusals.

    async with FakeImageAPI(api_key="k", model="m") as api:
        api.fail_next(429)
        client = AsyncOpenAI(api_key="k", base_url=api.base_url)
"""

import base64
import hashlib
import io
import json
import uuid
from dataclasses import dataclass, field

from aiohttp import web
from PIL import Image, ImageOps

DEFAULT_KEY = "sk-test-muralist"
DEFAULT_MODEL = "gpt-image-1.5"


@dataclass
class Failure:
    status: int
    code: str | None
    message: str
    headers: dict = field(default_factory=dict)


def _error(status: int, message: str, code: str | None, kind: str = "invalid_request_error", headers=None):
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return web.json_response(body, status=status, headers=headers or {})


def png_bytes(size: tuple[int, int], seed_text: str) -> bytes:
    """A real PNG: a two-colour gradient whose colours come from `seed_text`."""
    digest = hashlib.sha256(seed_text.encode()).digest()
    top, bottom = Image.new("RGB", size, tuple(digest[:3])), Image.new("RGB", size, tuple(digest[3:6]))
    mask = Image.linear_gradient("L").resize(size)
    out = io.BytesIO()
    Image.composite(bottom, top, mask).save(out, "PNG")
    return out.getvalue()


class FakeImageAPI:
    def __init__(self, *, api_key: str = DEFAULT_KEY, model: str = DEFAULT_MODEL, mode: str = "b64_json") -> None:
        self.api_key = api_key
        self.model = model
        self.mode = mode  # "b64_json" or "url"
        self.calls: list[dict] = []  # one entry per request that reached an image endpoint
        self.downloads = 0
        self._failures: list[Failure] = []
        self._files: dict[str, bytes] = {}
        self._runner: web.AppRunner | None = None
        self.origin = ""
        # /v1/moderations flags an input holding one of these words, under these categories.
        self.flagged_words: dict[str, tuple[str, ...]] = {"gore": ("violence", "violence/graphic")}
        self.moderation_calls: list[dict] = []

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    # -- scripting ---------------------------------------------------------

    def fail_next(self, status: int, times: int = 1, *, code: str | None = None, message: str | None = None,
                  retry_after_ms: int | None = 5) -> None:
        """Answer the next `times` requests with `status`; a short retry-after keeps retry tests fast."""
        headers = {"retry-after-ms": str(retry_after_ms)} if retry_after_ms is not None else {}
        text = message or f"scripted failure {status}"
        self._failures.extend(Failure(status, code, text, headers) for _ in range(times))

    def refuse_next(self, code: str = "moderation_blocked", message: str = "Your request was rejected by the safety system.") -> None:
        self._failures.append(Failure(400, code, message))

    # -- lifecycle ---------------------------------------------------------

    async def start(self) -> "FakeImageAPI":
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/images/generations", self._generations)
        app.router.add_post("/v1/images/edits", self._edits)
        app.router.add_post("/v1/moderations", self._moderations)
        app.router.add_get("/files/{name}", self._file)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.origin = f"http://{host}:{port}"
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> "FakeImageAPI":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # -- handlers ----------------------------------------------------------

    def _check(self, request: web.Request, model: str | None):
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", "invalid_api_key")
        if model != self.model:
            return _error(404, f"The model `{model}` does not exist or you do not have access to it.", "model_not_found")
        if self._failures:
            failure = self._failures.pop(0)
            kind = "image_generation_user_error" if failure.status == 400 else "server_error"
            return _error(failure.status, failure.message, failure.code, kind, failure.headers)
        return None

    async def _generations(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "We could not parse the JSON body of your request.", None)
        if not isinstance(body, dict) or not isinstance(body.get("prompt"), str) or not body["prompt"]:
            return _error(400, "Missing required parameter: 'prompt'.", "missing_required_parameter")
        self.calls.append({"endpoint": "generations", "body": body})
        refusal = self._check(request, body.get("model"))
        if refusal is not None:
            return refusal
        return self._answer(png_bytes(_size(body.get("size")), body["prompt"]))

    async def _edits(self, request: web.Request) -> web.Response:
        if not request.content_type.startswith("multipart/"):
            return _error(400, "Expected a multipart/form-data body.", None)
        form = await request.post()
        image = form.get("image") or form.get("image[]")
        prompt = form.get("prompt")
        self.calls.append({"endpoint": "edits", "form": {k: v for k, v in form.items() if isinstance(v, str)},
                           "image_filename": getattr(image, "filename", None),
                           "image_type": getattr(image, "content_type", None)})
        if not isinstance(prompt, str) or not prompt or image is None or isinstance(image, str):
            return _error(400, "An image file and a prompt are required.", "missing_required_parameter")
        refusal = self._check(request, form.get("model"))
        if refusal is not None:
            return refusal
        try:
            source = Image.open(io.BytesIO(image.file.read())).convert("RGB")
        except OSError:
            return _error(400, "Invalid image file.", "invalid_image")
        self.calls[-1]["image_size"] = source.size
        out = io.BytesIO()
        ImageOps.invert(source).save(out, "PNG")  # an "edit" the tests can recognise
        return self._answer(out.getvalue())

    async def _moderations(self, request: web.Request) -> web.Response:
        """OpenAI's moderation endpoint: one result per input, every category present."""
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "We could not parse the JSON body of your request.", None)
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", "invalid_api_key")
        inputs = body.get("input") if isinstance(body, dict) else None
        inputs = [inputs] if isinstance(inputs, str) else inputs
        if not isinstance(inputs, list) or not all(isinstance(item, str) for item in inputs):
            return _error(400, "Missing required parameter: 'input'.", "missing_required_parameter")
        self.moderation_calls.append(body)
        if self._failures:
            failure = self._failures.pop(0)
            return _error(failure.status, failure.message, failure.code, "server_error", failure.headers)
        results = []
        for text in inputs:
            hits = {category for word, categories in self.flagged_words.items() if word in text.lower()
                    for category in categories}
            categories = {name: name in hits for name in MODERATION_CATEGORIES}
            results.append({"flagged": bool(hits), "categories": categories,
                            "category_scores": {name: 0.9 if hit else 0.001 for name, hit in categories.items()},
                            "category_applied_input_types": {name: ["text"] for name in MODERATION_CATEGORIES}})
        return web.json_response({"id": f"modr-{uuid.uuid4().hex[:12]}", "model": body.get("model") or
                                  "omni-moderation-latest", "results": results})

    def _answer(self, png: bytes) -> web.Response:
        if self.mode == "url":
            name = f"{uuid.uuid4().hex}.png"
            self._files[name] = png
            item = {"url": f"{self.origin}/files/{name}"}
        else:
            item = {"b64_json": base64.b64encode(png).decode()}
        return web.json_response({"created": 1767225600, "data": [item], "output_format": "png"})

    async def _file(self, request: web.Request) -> web.Response:
        data = self._files.get(request.match_info["name"])
        if data is None:
            raise web.HTTPNotFound()
        self.downloads += 1
        return web.Response(body=data, content_type="image/png")


MODERATION_CATEGORIES = ("harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
                         "illicit/violent", "self-harm", "self-harm/instructions", "self-harm/intent", "sexual",
                         "sexual/minors", "violence", "violence/graphic")


def _size(text) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in str(text).lower().split("x"))
        return width, height
    except ValueError:
        return 1024, 1024
