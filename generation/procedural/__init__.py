"""The `procedural` generator: offline, deterministic pictures drawn from the prompt's words.

The seams are modules: words (reading the prompt), palette (colours),
composition (what goes where), motifs/ (drawing things), styles/ (the look),
remix (repainting a source image), render (the pipeline and PNG encoding).
"""

import asyncio

from generation.base import GenerationRequest, GenerationResult, validate_request
from generation.procedural.render import MODEL, derive_seed, render_png

__all__ = ["ProceduralGenerator", "MODEL", "derive_seed"]


class ProceduralGenerator:
    name = "procedural"

    def __init__(self, *, in_thread: bool = True) -> None:
        # Rendering is CPU work of tens to hundreds of milliseconds: keep it off the event loop.
        self.in_thread = in_thread

    def render(self, request: GenerationRequest) -> GenerationResult:
        """The synchronous core, for the CLI, benchmarks and tests."""
        request = validate_request(request)
        png, seed = render_png(request)
        return GenerationResult(image=png, media_type="image/png", model=MODEL, seed=seed, generator=self.name)

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        if self.in_thread:
            return await asyncio.to_thread(self.render, request)
        return self.render(request)

    async def aclose(self) -> None:
        pass

    def describe(self) -> dict:
        return {"model": MODEL, "seeds": True, "remix": True}
