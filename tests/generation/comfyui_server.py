"""A ComfyUI server on loopback: `/prompt`, `/history/{id}`, `/view` and `/upload/image`.

`/prompt` validates the graph as ComfyUI's `validate_prompt` does for the node classes the
workflows use: every class must exist, required inputs be present, links point at an existing
node's output of the right type, checkpoint and image names be ones it has, and one output
node be reachable; failures answer 400 with `error` and `node_errors`. A valid graph is
"executed" after `run_seconds`; until then `/history/{id}` answers `{}`. `fail_execution`
makes the next run end with an `execution_error` in its status messages, as a node's
exception (out of memory, say) does.
"""

import asyncio
import io
import uuid

from aiohttp import web
from PIL import Image

from tests.generation.loopback import LoopbackServer, picture

CHECKPOINTS = ("sd_xl_turbo_1.0_fp16.safetensors", "v1-5-pruned-emaonly.safetensors")
# class -> (required inputs: name -> link type, or None for a widget value), output types.
CLASSES = {
    "CheckpointLoaderSimple": ({"ckpt_name": None}, ("MODEL", "CLIP", "VAE")),
    "CLIPTextEncode": ({"text": None, "clip": "CLIP"}, ("CONDITIONING",)),
    "EmptyLatentImage": ({"width": None, "height": None, "batch_size": None}, ("LATENT",)),
    "KSampler": ({"seed": None, "steps": None, "cfg": None, "sampler_name": None, "scheduler": None,
                  "denoise": None, "model": "MODEL", "positive": "CONDITIONING", "negative": "CONDITIONING",
                  "latent_image": "LATENT"}, ("LATENT",)),
    "VAEDecode": ({"samples": "LATENT", "vae": "VAE"}, ("IMAGE",)),
    "VAEEncode": ({"pixels": "IMAGE", "vae": "VAE"}, ("LATENT",)),
    "LoadImage": ({"image": None}, ("IMAGE", "MASK")),
    "SaveImage": ({"filename_prefix": None, "images": "IMAGE"}, ()),
}


def _invalid(kind: str, message: str, node_errors: dict | None = None) -> web.Response:
    body = {"error": {"type": kind, "message": message, "details": "", "extra_info": {}},
            "node_errors": node_errors or {}}
    return web.json_response(body, status=400)


class ComfyUIServer(LoopbackServer):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.run_seconds = 0.05
        self.prompts: list[dict] = []  # every graph that was queued
        self.uploads: dict[str, bytes] = {}
        self.outputs: dict[str, bytes] = {}
        self.history: dict[str, dict] = {}
        self._fail_execution: str | None = None

    def fail_execution(self, message: str) -> None:
        self._fail_execution = message

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/prompt", self._prompt)
        app.router.add_get("/history/{prompt_id}", self._history)
        app.router.add_get("/view", self._view)
        app.router.add_post("/upload/image", self._upload)

    async def _upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        image = form.get("image")
        if image is None or isinstance(image, str):
            return web.Response(status=400)
        self.uploads[image.filename] = image.file.read()
        return web.json_response({"name": image.filename, "subfolder": "", "type": form.get("type", "input")})

    async def _prompt(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _invalid("invalid_prompt", "Invalid JSON")
        graph = body.get("prompt") if isinstance(body, dict) else None
        if not isinstance(graph, dict):
            return _invalid("no_prompt", "No prompt provided")
        problem = self._validate(graph)
        if problem is not None:
            return problem
        prompt_id = str(uuid.uuid4())
        self.prompts.append(graph)
        asyncio.get_running_loop().call_later(self.run_seconds, self._execute, prompt_id, graph)
        return web.json_response({"prompt_id": prompt_id, "number": len(self.prompts), "node_errors": {}})

    def _validate(self, graph: dict) -> web.Response | None:
        for node_id, node in graph.items():
            if not isinstance(node, dict) or node.get("class_type") not in CLASSES:
                kind = node.get("class_type") if isinstance(node, dict) else None
                return _invalid("invalid_prompt", f"Cannot execute because node {kind} does not exist.")
        node_errors = {}
        for node_id, node in graph.items():
            errors = self._node_errors(graph, node)
            if errors:
                node_errors[node_id] = {"errors": errors, "dependent_outputs": [], "class_type": node["class_type"]}
        if node_errors:
            return _invalid("prompt_outputs_failed_validation", "Prompt outputs failed validation", node_errors)
        if not any(node["class_type"] == "SaveImage" for node in graph.values()):
            return _invalid("prompt_no_outputs", "Prompt has no outputs")
        return None

    def _node_errors(self, graph: dict, node: dict) -> list[dict]:
        required, _outputs = CLASSES[node["class_type"]]
        inputs = node.get("inputs") or {}
        errors = []
        for name, link_type in required.items():
            value = inputs.get(name)
            if value is None:
                errors.append({"type": "required_input_missing", "message": "Required input is missing",
                               "details": name})
            elif link_type is not None:
                source = graph.get(str(value[0])) if isinstance(value, list) and len(value) == 2 else None
                outputs = CLASSES[source["class_type"]][1] if source else ()
                if not isinstance(value[1] if source else None, int) or not value[1] < len(outputs) \
                        or outputs[value[1]] != link_type:
                    errors.append({"type": "return_type_mismatch", "message": "Return type mismatch between linked nodes",
                                   "details": f"{name}, expected {link_type}"})
        if node["class_type"] == "CheckpointLoaderSimple" and inputs.get("ckpt_name") not in CHECKPOINTS:
            errors.append({"type": "value_not_in_list", "message": "Value not in list",
                           "details": f"ckpt_name: '{inputs.get('ckpt_name')}' not in {list(CHECKPOINTS)}"})
        if node["class_type"] == "LoadImage" and inputs.get("image") not in self.uploads:
            errors.append({"type": "custom_validation_failed", "message": "Failed to validate prompt for output",
                           "details": f"Invalid image file: {inputs.get('image')}"})
        if node["class_type"] == "KSampler" and not 0 <= inputs.get("seed", 0) <= 0xFFFFFFFFFFFFFFFF:
            errors.append({"type": "value_bigger_than_max", "message": "Value bigger than max", "details": "seed"})
        return errors

    def _execute(self, prompt_id: str, graph: dict) -> None:
        status = {"status_str": "success", "completed": True, "messages": [["execution_start", {"prompt_id": prompt_id}]]}
        outputs = {}
        if self._fail_execution is not None:
            message, self._fail_execution = self._fail_execution, None
            sampler_id = next(i for i, n in graph.items() if n["class_type"] == "KSampler")
            status = {"status_str": "error", "completed": False, "messages": [
                ["execution_start", {"prompt_id": prompt_id}],
                ["execution_error", {"prompt_id": prompt_id, "node_id": sampler_id, "node_type": "KSampler",
                                     "exception_message": message, "exception_type": "torch.OutOfMemoryError"}]]}
        else:
            for node_id, node in graph.items():
                if node["class_type"] == "SaveImage":
                    name = f"{node['inputs']['filename_prefix']}_{len(self.outputs) + 1:05d}_.png"
                    self.outputs[name] = self._render(graph, node)
                    outputs[node_id] = {"images": [{"filename": name, "subfolder": "", "type": "output"}]}
        self.history[prompt_id] = {"prompt": [len(self.prompts), prompt_id, graph, {}, list(outputs)],
                                   "outputs": outputs, "status": status}

    def _render(self, graph: dict, save: dict) -> bytes:
        decode = graph[save["inputs"]["images"][0]]
        sampler = graph[decode["inputs"]["samples"][0]]["inputs"]
        text = graph[sampler["positive"][0]]["inputs"]["text"]
        latent = graph[sampler["latent_image"][0]]
        if latent["class_type"] == "EmptyLatentImage":
            size, source = (latent["inputs"]["width"], latent["inputs"]["height"]), None
        else:  # VAEEncode of a LoadImage
            name = graph[latent["inputs"]["pixels"][0]]["inputs"]["image"]
            source = Image.open(io.BytesIO(self.uploads[name]))
            size = source.size
        return picture(size, sampler["seed"], text, source, sampler["denoise"])

    async def _history(self, request: web.Request) -> web.Response:
        prompt_id = request.match_info["prompt_id"]
        entry = self.history.get(prompt_id)
        return web.json_response({prompt_id: entry} if entry is not None else {})

    async def _view(self, request: web.Request) -> web.Response:
        if request.query.get("type") != "output" or request.query.get("subfolder", "") != "":
            return web.Response(status=404)
        data = self.outputs.get(request.query.get("filename", ""))
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/png")
