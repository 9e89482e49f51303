"""ComfyUI workflows in API format (`{node id: {"class_type", "inputs"}}`, what "Save (API)"
exports): loading the shipped default or a user's file, finding the nodes a request fills in,
and filling them.

The nodes are found through the graph rather than by id, so a user's own workflow works when
it has one KSampler (or KSamplerAdvanced) whose `positive` and `negative` inputs come from
nodes with a `text` input (CLIPTextEncode and its kin) and whose `latent_image` comes from an
EmptyLatentImage. A remix adds a LoadImage and a VAEEncode feeding the sampler, with the VAE
the graph decodes with, and sets the sampler's `denoise` to the remix strength.
"""

import copy
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from generation.errors import GenerationError, InvalidGenerationRequest

MAX_WORKFLOW_BYTES = 2 * 1024 * 1024
MAX_NODES = 1000
SAMPLERS = {"KSampler": "seed", "KSamplerAdvanced": "noise_seed"}
LOAD_ID, ENCODE_ID = "muralist_load_image", "muralist_vae_encode"


def default_workflow() -> dict:
    return json.loads(resources.files("generation.comfyui").joinpath("default_workflow.json").read_text())


def load_workflow(path: str | None) -> dict:
    """The workflow at `path` (or the shipped default), checked; GenerationError naming the problem."""
    if not path:
        return Workflow(default_workflow()).graph
    file = Path(path)
    try:
        if file.stat().st_size > MAX_WORKFLOW_BYTES:
            raise GenerationError(f"the ComfyUI workflow {path} is larger than {MAX_WORKFLOW_BYTES} bytes")
        graph = json.loads(file.read_text())
    except OSError as exc:
        raise GenerationError(f"cannot read the ComfyUI workflow {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise GenerationError(f"the ComfyUI workflow {path} is not JSON: {exc}") from None
    try:
        return Workflow(graph).graph
    except GenerationError as exc:
        raise GenerationError(f"the ComfyUI workflow {path}: {exc}") from None


def _link(value) -> str | None:
    """The node id a `[id, output index]` input points at."""
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], int):
        return str(value[0])
    return None


@dataclass
class Workflow:
    graph: dict

    def __post_init__(self) -> None:
        graph = self.graph
        if "nodes" in graph and "links" in graph:
            raise GenerationError("it is in the editor's format; export it with \"Save (API)\" instead")
        if not isinstance(graph, dict) or not graph or len(graph) > MAX_NODES:
            raise GenerationError(f"a workflow is an object of 1 to {MAX_NODES} nodes")
        for node_id, node in graph.items():
            if not (isinstance(node, dict) and isinstance(node.get("class_type"), str)
                    and isinstance(node.get("inputs"), dict)):
                raise GenerationError(f"node {node_id} has no class_type and inputs")
        samplers = [node_id for node_id, node in graph.items() if node["class_type"] in SAMPLERS]
        if len(samplers) != 1:
            raise GenerationError(f"it needs exactly one KSampler or KSamplerAdvanced node, not {len(samplers)}")
        self.sampler_id = samplers[0]
        self.positive_id = self._text_node("positive")
        self.negative_id = self._text_node("negative")
        self.latent_id = _link(self.sampler["inputs"].get("latent_image"))
        if self.latent_id not in graph or graph[self.latent_id]["class_type"] != "EmptyLatentImage":
            raise GenerationError("the sampler's latent_image must come from an EmptyLatentImage node")
        if not any(node["class_type"] == "SaveImage" for node in graph.values()):
            raise GenerationError("it has no SaveImage node, so it would make no image to collect")

    @property
    def sampler(self) -> dict:
        return self.graph[self.sampler_id]

    def _text_node(self, which: str) -> str:
        node_id = _link(self.sampler["inputs"].get(which))
        if node_id not in self.graph or "text" not in self.graph[node_id]["inputs"]:
            raise GenerationError(f"the sampler's {which} input must come from a node with a text input "
                                  f"(CLIPTextEncode)")
        return node_id

    def checkpoint(self) -> str | None:
        for node in self.graph.values():
            if node["class_type"].startswith("CheckpointLoader") and isinstance(node["inputs"].get("ckpt_name"), str):
                return node["inputs"]["ckpt_name"]
        return None

    def filled(self, *, prompt: str, negative: str, seed: int, size: tuple[int, int],
               checkpoint: str | None = None, steps: int | None = None, guidance: float | None = None,
               source_name: str | None = None, strength: float = 0.6) -> dict:
        """A copy of the graph with the request's values in place."""
        graph = copy.deepcopy(self.graph)
        graph[self.positive_id]["inputs"]["text"] = prompt
        graph[self.negative_id]["inputs"]["text"] = negative
        sampler = graph[self.sampler_id]
        sampler["inputs"][SAMPLERS[sampler["class_type"]]] = seed
        if steps is not None:
            sampler["inputs"]["steps"] = steps
        if guidance is not None:
            sampler["inputs"]["cfg"] = guidance
        latent = graph[self.latent_id]["inputs"]
        latent["width"], latent["height"], latent["batch_size"] = size[0], size[1], 1
        if checkpoint:
            for node in graph.values():
                if node["class_type"].startswith("CheckpointLoader") and "ckpt_name" in node["inputs"]:
                    node["inputs"]["ckpt_name"] = checkpoint
        if source_name is not None:
            self._add_source(graph, source_name, strength)
        return graph

    def _add_source(self, graph: dict, source_name: str, strength: float) -> None:
        sampler = graph[self.sampler_id]
        if sampler["class_type"] != "KSampler":
            raise InvalidGenerationRequest("remixes need a workflow whose sampler is a KSampler (it has denoise)")
        vae = next((node["inputs"]["vae"] for node in graph.values()
                    if node["class_type"] == "VAEDecode" and _link(node["inputs"].get("vae"))), None)
        if vae is None:
            raise InvalidGenerationRequest("remixes need a workflow with a VAEDecode node (its VAE encodes the source)")
        graph[LOAD_ID] = {"class_type": "LoadImage", "inputs": {"image": source_name}}
        graph[ENCODE_ID] = {"class_type": "VAEEncode", "inputs": {"pixels": [LOAD_ID, 0], "vae": list(vae)}}
        sampler["inputs"]["latent_image"] = [ENCODE_ID, 0]
        sampler["inputs"]["denoise"] = strength
