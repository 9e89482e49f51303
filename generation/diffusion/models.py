"""A local diffusers model folder: checking it without loading it, and the defaults that suit it.

The check runs when the generator is built (so when `serve` or `worker` starts): the folder
must exist and hold a `model_index.json` naming a pipeline, and every component it lists must
have its folder, config and weights. Whether the weights really load is learned when the
pipeline loads, which the worker does at its start too (DiffusersGenerator.prepare).

The few-step models want other settings than the classic ones: SD-Turbo and SDXL-Turbo draw in
one step without guidance at 512², FLUX.1-schnell in four at 1024². They are told by the
pipeline class and by "turbo" or "schnell" in the folder's or the model's own name.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from generation.errors import GenerationError

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".ckpt", ".gguf")
# Components that are networks (config.json and weights); tokenizers and schedulers have files of their own.
NETWORK_CLASSES = ("Model", "Transformer", "Encoder", "Autoencoder", "UNet", "CLIP", "T5")
MAX_INDEX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Profile:
    name: str
    steps: int
    guidance: float
    size: tuple[int, int]
    side_multiple: int = 8  # the latent grid: sides are rounded to this


PROFILES = {
    "sd-turbo": Profile("SD-Turbo", steps=1, guidance=0.0, size=(512, 512)),
    "sdxl-turbo": Profile("SDXL-Turbo", steps=1, guidance=0.0, size=(512, 512)),
    "flux-schnell": Profile("FLUX.1-schnell", steps=4, guidance=0.0, size=(1024, 1024), side_multiple=16),
    "flux": Profile("FLUX.1", steps=28, guidance=3.5, size=(1024, 1024), side_multiple=16),
    "sdxl": Profile("Stable Diffusion XL", steps=30, guidance=5.0, size=(1024, 1024)),
    "sd": Profile("Stable Diffusion", steps=25, guidance=7.5, size=(512, 512)),
}


@dataclass(frozen=True)
class ModelFolder:
    path: Path
    pipeline_class: str
    model_name: str  # what the provenance records: the model's own name, else the folder's
    profile: Profile


def check_model_dir(model_dir: str | None) -> ModelFolder:
    """The folder's description, or GenerationError saying what is wrong with it."""
    if not model_dir:
        raise GenerationError("the diffusers generator needs MURALIST_DIFFUSION_MODEL_DIR: a folder holding a "
                              "diffusers model (a pipeline saved with save_pretrained, e.g. stabilityai/sd-turbo)")
    path = Path(model_dir).expanduser()
    if not path.is_dir():
        raise GenerationError(f"MURALIST_DIFFUSION_MODEL_DIR {model_dir} is not a folder")
    index = _read_index(path)
    pipeline_class = index.get("_class_name")
    if not isinstance(pipeline_class, str) or not pipeline_class.endswith("Pipeline"):
        raise GenerationError(f"{path / 'model_index.json'} names no pipeline class (_class_name)")
    for component, spec in index.items():
        if not component.startswith("_"):
            _check_component(path, component, spec)
    own_name = index.get("_name_or_path") if isinstance(index.get("_name_or_path"), str) else ""
    model_name = (own_name.rstrip("/").rsplit("/", 1)[-1] if own_name and not Path(own_name).is_absolute()
                  else path.resolve().name)
    return ModelFolder(path=path, pipeline_class=pipeline_class, model_name=model_name[:200],
                       profile=profile_for(pipeline_class, f"{own_name} {path.resolve().name}"))


def profile_for(pipeline_class: str, names: str) -> Profile:
    names = names.lower()
    fast = "turbo" in names
    if pipeline_class.startswith("Flux"):
        return PROFILES["flux-schnell" if "schnell" in names else "flux"]
    if "XL" in pipeline_class:
        return PROFILES["sdxl-turbo" if fast else "sdxl"]
    return PROFILES["sd-turbo" if fast else "sd"]


def _read_index(path: Path) -> dict:
    index_file = path / "model_index.json"
    if not index_file.is_file():
        raise GenerationError(f"MURALIST_DIFFUSION_MODEL_DIR {path} is not a diffusers model folder: it has no "
                              f"model_index.json (save a pipeline there with save_pretrained)")
    try:
        if index_file.stat().st_size > MAX_INDEX_BYTES:
            raise GenerationError(f"{index_file} is larger than {MAX_INDEX_BYTES} bytes")
        index = json.loads(index_file.read_text())
    except (OSError, ValueError) as exc:
        raise GenerationError(f"cannot read {index_file}: {exc}") from None
    if not isinstance(index, dict):
        raise GenerationError(f"{index_file} is not a JSON object")
    return index


def _check_component(path: Path, component: str, spec) -> None:
    # Each component is [library, class]; [null, null] marks one left out (a safety checker).
    if not (isinstance(spec, list) and len(spec) == 2) or spec[1] is None:
        return
    folder = path / component
    if not folder.is_dir():
        raise GenerationError(f"the model in {path} lists a {component} ({spec[1]}) but has no {component} folder")
    if any(word in str(spec[1]) for word in NETWORK_CLASSES) and "Tokenizer" not in str(spec[1]):
        if not (folder / "config.json").is_file():
            raise GenerationError(f"the model's {component} folder in {path} has no config.json")
        if not any(file.name.endswith(WEIGHT_SUFFIXES) for file in folder.iterdir()):
            raise GenerationError(f"the model's {component} folder in {path} has no weights "
                                  f"(*.safetensors or *.bin)")
