"""From the node's settings to a ready generator: which settings each generator takes
(one small function per name in a table), building it, and checking it when `serve` or
`worker` starts, so a wrong URL, workflow or model folder stops the node with one clear line
instead of failing the first user's job.
"""

from generation import Generator, get_generator

from .settings import Settings


def _openai(settings: Settings) -> dict:
    return {"api_key": settings.openai_api_key, "base_url": settings.openai_base_url,
            "model": settings.openai_model}


def _remote(settings: Settings) -> dict:
    return {"base_url": settings.generator_url, "auth": settings.generator_auth, "model": settings.generator_model,
            "timeout": float(settings.generator_timeout), "retries": settings.generator_retries,
            "strength": settings.generator_strength, "steps": settings.generator_steps or None,
            "guidance": settings.generator_guidance}


def _comfyui(settings: Settings) -> dict:
    return {**_remote(settings), "workflow": settings.comfyui_workflow}


def _diffusers(settings: Settings) -> dict:
    return {"model_dir": settings.diffusion_model_dir, "device": settings.diffusion_device,
            "steps": settings.generator_steps or None, "guidance": settings.generator_guidance,
            "strength": settings.generator_strength, "batch_size": settings.diffusion_batch,
            "idle_seconds": float(settings.diffusion_idle_seconds)}


OPTIONS = {"procedural": lambda _settings: {}, "openai": _openai, "automatic1111": _remote,
           "comfyui": _comfyui, "diffusers": _diffusers}


def generator_options(settings: Settings, name: str | None = None) -> dict:
    """The settings generator `name` (default: MURALIST_GENERATOR) takes; unset ones are left
    out so the generator's own defaults apply."""
    options = OPTIONS.get(name or settings.generator, lambda _settings: {})(settings)
    return {key: value for key, value in options.items() if value is not None}


def build_generator(settings: Settings, name: str | None = None) -> Generator:
    """GenerationError when a setting is wrong or missing."""
    name = name or settings.generator
    return get_generator(name, **generator_options(settings, name))


async def check_generator(settings: Settings) -> None:
    """Build the configured generator and let it check what it can without generating (the
    diffusers model folder, the ComfyUI workflow); GenerationError says what is wrong."""
    generator = build_generator(settings)
    await generator.aclose()


def describe_generator(generator: Generator) -> dict:
    """What a client may ask of the generator: its name, model, and whether it takes seeds and remixes."""
    described = {"model": None, "seeds": True, "remix": True}
    describe = getattr(generator, "describe", None)
    if describe is not None:
        described.update(describe())
    return {"name": generator.name, **described}
