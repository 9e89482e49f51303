"""The one interface every image generator implements, and its request checks.

A generator takes a `GenerationRequest` and answers a `GenerationResult` or
raises a `GenerationError`; node/ never needs to know which backend it holds.
"""

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from generation.errors import InvalidGenerationRequest
from generation.styles import canonical_style

MIN_SIDE = 64
MAX_SIDE = 2048
MAX_PROMPT_CHARS = 4000
MAX_SEED = 2**63 - 1  # fits the BIGINT column a post stores it in
QUALITIES = ("low", "medium", "high", "auto")
# A remix source is an image a user or a remote server handed us: bound it
# before anything decodes it.
MAX_SOURCE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class GenerationRequest:
    prompt: str
    style: str | None = None  # None: the style the prompt names, else the default
    size: tuple[int, int] = (1024, 1024)  # (width, height)
    seed: int | None = None  # None: derived from the prompt where the backend has seeds
    source_image: bytes | None = None  # set for a remix
    quality: str = "auto"


@dataclass(frozen=True)
class GenerationResult:
    image: bytes
    media_type: str  # "image/png", "image/jpeg", "image/webp"
    model: str  # e.g. "procedural-1" or "gpt-image-1.5"
    seed: int | None  # None where the backend has no seeds
    generator: str  # the registry name: "procedural", "openai"


@runtime_checkable
class Generator(Protocol):
    name: str

    async def generate(self, request: GenerationRequest) -> GenerationResult: ...

    async def aclose(self) -> None: ...


def parse_size(text: str) -> tuple[int, int]:
    """`"1024x768"` -> `(1024, 768)`, checked against the side limits."""
    parts = text.strip().lower().split("x")
    if len(parts) != 2 or not all(part.strip().isdigit() for part in parts):
        raise InvalidGenerationRequest(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1024x1024")
    return check_size((int(parts[0]), int(parts[1])))


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    try:
        width, height = size
    except (TypeError, ValueError):
        raise InvalidGenerationRequest(f"size {size!r} is not a (width, height) pair") from None
    for side in (width, height):
        if isinstance(side, bool) or not isinstance(side, int) or not MIN_SIDE <= side <= MAX_SIDE:
            raise InvalidGenerationRequest(
                f"size {width}x{height} is out of range: each side must be {MIN_SIDE}..{MAX_SIDE} pixels"
            )
    return width, height


def validate_request(request: GenerationRequest) -> GenerationRequest:
    """The request with its style made canonical, or InvalidGenerationRequest saying what is wrong."""
    prompt = request.prompt.strip() if isinstance(request.prompt, str) else ""
    if not prompt:
        raise InvalidGenerationRequest("the prompt is empty")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidGenerationRequest(f"the prompt is longer than {MAX_PROMPT_CHARS} characters")
    check_size(request.size)
    seed = request.seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED):
        raise InvalidGenerationRequest(f"seed must be an integer 0..{MAX_SEED}")
    if request.quality not in QUALITIES:
        raise InvalidGenerationRequest(f"quality {request.quality!r} is not one of {', '.join(QUALITIES)}")
    if request.source_image is not None:
        if not request.source_image:
            raise InvalidGenerationRequest("the source image is empty")
        if len(request.source_image) > MAX_SOURCE_BYTES:
            raise InvalidGenerationRequest(f"the source image is larger than {MAX_SOURCE_BYTES} bytes")
    style = canonical_style(request.style) if request.style is not None else None
    return GenerationRequest(
        prompt=prompt, style=style, size=tuple(request.size), seed=seed,
        source_image=request.source_image, quality=request.quality,
    )
