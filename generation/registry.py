"""Finding a generator by its configured name (`MURALIST_GENERATOR`).

Backends are imported when asked for, so a node that only draws
procedurally never loads the openai client, and only the `diffusers`
generator needs the optional `muralist[diffusion]` extra (torch).
"""

import inspect

from generation.base import Generator
from generation.errors import GenerationError


def _procedural(**settings) -> Generator:
    from generation.procedural import ProceduralGenerator

    return _build(ProceduralGenerator, settings)


def _openai(**settings) -> Generator:
    from generation.openai_backend import OpenAIGenerator

    return _build(OpenAIGenerator, settings)


def _automatic1111(**settings) -> Generator:
    from generation.automatic1111 import Automatic1111Generator

    return _build(Automatic1111Generator, settings)


def _comfyui(**settings) -> Generator:
    from generation.comfyui import ComfyUIGenerator

    return _build(ComfyUIGenerator, settings)


def _diffusers(**settings) -> Generator:
    from generation.diffusion import DiffusersGenerator

    return _build(DiffusersGenerator, settings)


FACTORIES = {"procedural": _procedural, "openai": _openai, "automatic1111": _automatic1111,
             "comfyui": _comfyui, "diffusers": _diffusers}


def available_generators() -> list[str]:
    return list(FACTORIES)


def get_generator(name: str, **settings) -> Generator:
    """A ready generator; GenerationError for an unknown name or a setting it does not take."""
    factory = FACTORIES.get(name.strip().lower())
    if factory is None:
        raise GenerationError(f"unknown generator {name!r}; choose one of: {', '.join(FACTORIES)}")
    return factory(**settings)


def _build(cls, settings: dict) -> Generator:
    accepted = inspect.signature(cls).parameters
    unknown = sorted(set(settings) - set(accepted))
    if unknown:
        raise GenerationError(f"the {cls.name} generator has no setting {', '.join(unknown)}")
    return cls(**settings)
