"""The `openai` generator: OpenAI's image API, or any server that speaks it.

New images go to `images.generate`, remixes to `images.edit` with the source
attached. Retries on 429 and 5xx are the openai client's own (`max_retries`);
what is still failing after them becomes BackendUnavailable. A moderation
refusal becomes PromptRefused with the server's words; any other 4xx is a
GenerationError carrying the server's message.
"""

import base64
import binascii
import io

import aiohttp
import openai
from PIL import Image

from generation.base import GenerationRequest, GenerationResult, validate_request
from generation.errors import BackendUnavailable, GenerationError, InvalidGenerationRequest, PromptRefused
from generation.styles import style_info

DEFAULT_MODEL = "gpt-image-1.5"
# Codes the image API uses when its safety system declines a prompt or an input image.
MODERATION_CODES = frozenset({"moderation_blocked", "content_policy_violation"})
# Sizes every GPT image model accepts; the one closest to the request's shape is asked for.
STANDARD_SIZES = ((1024, 1024), (1536, 1024), (1024, 1536))
MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024
SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"RIFF", "image/webp"))


class OpenAIGenerator:
    name = "openai"

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None, model: str = DEFAULT_MODEL,
                 size: str | None = None, quality: str | None = None, output_format: str | None = "png",
                 response_format: str | None = None, timeout: float = 120.0, max_retries: int = 2,
                 max_download_bytes: int = MAX_DOWNLOAD_BYTES) -> None:
        """`size`: None picks the standard size nearest the request's shape, "request" sends the
        request's own WxH (for servers that take any size), anything else is sent as it is.
        `response_format` is for servers that still want it ("url" or "b64_json"); GPT image
        models reject it, so it is left out unless set."""
        try:
            self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)
        except openai.OpenAIError as exc:
            raise GenerationError(f"the openai generator is not configured: {exc}") from None
        self.model = model
        self.size = size
        self.quality = quality
        self.output_format = output_format
        self.response_format = response_format
        self.timeout = timeout
        self.max_download_bytes = max_download_bytes

    async def aclose(self) -> None:
        await self._client.close()

    def describe(self) -> dict:
        return {"model": self.model, "seeds": False, "remix": True}

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        request = validate_request(request)
        params = self._params(request)
        try:
            if request.source_image is not None:
                response = await self._client.images.edit(image=_upload(request.source_image), **params)
            else:
                response = await self._client.images.generate(**params)
        except openai.APIError as exc:
            raise map_api_error(exc) from exc
        image = await self._image_bytes(response)
        return GenerationResult(image=image, media_type=_media_type(image), model=self.model, seed=None,
                                generator=self.name)

    def _params(self, request: GenerationRequest) -> dict:
        prompt = request.prompt
        if request.style is not None:  # the API has no style knob for GPT image models: say it in words
            prompt = f"{prompt}\n\nStyle: {style_info(request.style).description}."
        params = {"model": self.model, "prompt": prompt, "size": self._size(request.size), "n": 1}
        quality = request.quality if request.quality != "auto" else self.quality
        optional = {"quality": quality, "output_format": self.output_format, "response_format": self.response_format}
        params.update({key: value for key, value in optional.items() if value is not None})
        return params

    def _size(self, size: tuple[int, int]) -> str:
        if self.size == "request":
            return f"{size[0]}x{size[1]}"
        if self.size is not None:
            return self.size
        ratio = size[0] / size[1]
        width, height = min(STANDARD_SIZES, key=lambda s: abs(s[0] / s[1] - ratio))
        return f"{width}x{height}"

    async def _image_bytes(self, response) -> bytes:
        data = getattr(response, "data", None) or []
        if not data:
            raise GenerationError("the image service answered without an image")
        item = data[0]
        if item.b64_json:
            try:
                return base64.b64decode(item.b64_json, validate=True)
            except (binascii.Error, ValueError):
                raise GenerationError("the image service sent an image that is not valid base64") from None
        if item.url:
            return await self._download(item.url)
        raise GenerationError("the image service answered with neither b64_json nor url")

    async def _download(self, url: str) -> bytes:
        if not url.startswith(("https://", "http://")):
            raise GenerationError("the image service sent an image URL that is not http(s)")
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as answer:
                if answer.status >= 500 or answer.status == 429:
                    raise BackendUnavailable(f"fetching the generated image failed with HTTP {answer.status}")
                if answer.status != 200:
                    raise GenerationError(f"fetching the generated image failed with HTTP {answer.status}")
                return await _read_limited(answer, self.max_download_bytes)
        except TimeoutError:
            raise BackendUnavailable(f"fetching the generated image took longer than {self.timeout:g} seconds") from None
        except aiohttp.ClientError as exc:
            # Said in words (users read this message); the exception's own text, not its repr.
            reason = str(exc) or "the connection failed"
            raise BackendUnavailable(f"fetching the generated image failed: {reason}") from None


async def _read_limited(answer: aiohttp.ClientResponse, limit: int) -> bytes:
    if answer.content_length is not None and answer.content_length > limit:
        raise GenerationError(f"the generated image is larger than {limit} bytes")
    body = bytearray()
    async for chunk in answer.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > limit:  # the declared length may be absent or wrong
            raise GenerationError(f"the generated image is larger than {limit} bytes")
    return bytes(body)


def map_api_error(exc: openai.APIError) -> GenerationError:
    """Turn what the openai client raised (after its own retries) into our error types."""
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return BackendUnavailable(f"the image service could not be reached: {exc.message}")
    if not isinstance(exc, openai.APIStatusError):
        return GenerationError(f"the image service answered badly: {exc.message}")
    message = _server_message(exc)
    status = exc.status_code
    if status == 400 and exc.code in MODERATION_CODES:
        return PromptRefused(message)
    if status in (408, 409, 429) or status >= 500:
        return BackendUnavailable(f"the image service is unavailable (HTTP {status}): {message}")
    if status in (401, 403):
        return GenerationError(f"the image service refused our credentials (HTTP {status}): {message}")
    return GenerationError(f"the image service rejected the request (HTTP {status}): {message}")


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"]:
        return body["message"]
    return exc.message


def _media_type(image: bytes) -> str:
    for signature, media_type in SIGNATURES:
        if image.startswith(signature):
            return media_type
    raise GenerationError("the image service sent something that is not a PNG, JPEG or WebP image")


def _upload(source: bytes) -> tuple[str, bytes, str]:
    """The source as a file part the edits endpoint accepts: PNG, JPEG and WebP go as they are."""
    for signature, media_type in SIGNATURES:
        if source.startswith(signature):
            return f"source.{media_type.split('/')[1]}", source, media_type
    try:
        with Image.open(io.BytesIO(source)) as image:
            if image.width * image.height > 40_000_000:
                raise InvalidGenerationRequest("the source image is too large")
            out = io.BytesIO()
            image.convert("RGBA").save(out, "PNG")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidGenerationRequest(f"the source image could not be decoded: {exc}") from None
    return "source.png", out.getvalue(), "image/png"
