"""Image generators behind one interface.

    generator = get_generator("procedural")          # or "openai", "automatic1111", "comfyui", "diffusers"
    result = await generator.generate(GenerationRequest("a lighthouse at dusk", style="watercolor"))
    result.image, result.media_type, result.seed     # PNG bytes, "image/png", the seed used

Errors are GenerationError and its kinds: PromptRefused, BackendUnavailable,
InvalidGenerationRequest.
"""

from generation.base import GenerationRequest, GenerationResult, Generator, parse_size, validate_request
from generation.errors import BackendUnavailable, GenerationError, InvalidGenerationRequest, PromptRefused
from generation.registry import available_generators, get_generator
from generation.styles import DEFAULT_STYLE, StyleInfo, list_styles

__all__ = [
    "BackendUnavailable", "DEFAULT_STYLE", "GenerationError", "GenerationRequest", "GenerationResult", "Generator",
    "InvalidGenerationRequest", "PromptRefused", "StyleInfo", "available_generators", "get_generator",
    "list_styles", "parse_size", "validate_request",
]
