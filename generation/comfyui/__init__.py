"""The `comfyui` generator: a ComfyUI server's own API, with a workflow in API format (the
shipped default, or a user's file: generation/comfyui/workflow.py).

One image is: (for a remix) `POST /upload/image` of the source; `POST /prompt` with the filled
graph, answered `{"prompt_id", "number", "node_errors"}`; `GET /history/{prompt_id}` polled
until the run is in the history (an empty `{}` until then) with `status.completed`, or with
`status_str` "error" and the node's exception in `status.messages`; then `GET /view` of the
first image an output node saved.
"""

import asyncio
import time
import uuid

import aiohttp

from generation.base import MAX_SEED, GenerationRequest, GenerationResult, validate_request
from generation.comfyui.workflow import Workflow, load_workflow
from generation.errors import BackendUnavailable, GenerationError
from generation.images import choose_seed, media_type_of, source_as_png
from generation.remote import RemoteServer
from generation.styles import styled_prompt

WHO = "ComfyUI"
MAX_POLL_SECONDS = 2.0


def describe_error(body) -> str | None:
    """`{"error": {"type", "message", "details"}, "node_errors": {id: {"errors": [...], "class_type"}}}`."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    parts = []
    if isinstance(error, dict):
        parts.append(" ".join(str(error.get(key) or "") for key in ("message", "details")).strip())
    elif isinstance(error, str):
        parts.append(error)
    node_errors = body.get("node_errors")
    if isinstance(node_errors, dict):
        for node_id, info in list(node_errors.items())[:3]:
            errors = info.get("errors") if isinstance(info, dict) else None
            for item in (errors if isinstance(errors, list) else [])[:2]:
                if isinstance(item, dict):
                    parts.append(f"node {node_id} ({info.get('class_type', '?')}): "
                                 f"{item.get('message', '')} {item.get('details', '')}".strip())
    return "; ".join(part for part in parts if part) or None


class ComfyUIGenerator:
    name = "comfyui"

    def __init__(self, *, base_url: str | None = None, auth: str | None = None, workflow: str | None = None,
                 model: str | None = None, steps: int | None = None, guidance: float | None = None,
                 strength: float = 0.6, negative_prompt: str = "", timeout: float = 300.0, retries: int = 2,
                 retry_delay: float = 1.0, poll_interval: float = 0.25) -> None:
        """`workflow` is a file in API format (None: the shipped default); `model` replaces its
        checkpoint's ckpt_name; `steps` and `guidance` replace the sampler's when set."""
        if not 0.0 < strength <= 1.0:
            raise GenerationError("the remix strength must be above 0 and at most 1")
        self.workflow = Workflow(load_workflow(workflow))
        self.server = RemoteServer(WHO, base_url, auth=auth, timeout=timeout, retries=retries,
                                   retry_delay=retry_delay, describe=describe_error)
        self.model, self.steps, self.guidance = model, steps, guidance
        self.strength, self.negative_prompt = strength, negative_prompt
        self.timeout, self.poll_interval = timeout, poll_interval
        self.client_id = uuid.uuid4().hex

    async def aclose(self) -> None:
        await self.server.aclose()

    def describe(self) -> dict:
        return {"model": self.model or self.workflow.checkpoint() or "the workflow's checkpoint",
                "seeds": True, "remix": self.workflow.sampler["class_type"] == "KSampler"}

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        request = validate_request(request)
        seed = choose_seed(request.seed)
        source_name = await self._upload(request) if request.source_image is not None else None
        graph = self.workflow.filled(
            prompt=styled_prompt(request.prompt, request.style), negative=self.negative_prompt, seed=seed,
            size=request.size, checkpoint=self.model, steps=self.steps, guidance=self.guidance,
            source_name=source_name, strength=self.strength)
        queued = await self.server.json("POST", "/prompt", json={"prompt": graph, "client_id": self.client_id})
        prompt_id = queued.get("prompt_id") if isinstance(queued, dict) else None
        if not isinstance(prompt_id, str) or not prompt_id:
            raise GenerationError(f"the {WHO} server queued the workflow without a prompt_id")
        entry = await self._wait(prompt_id)
        image = await self._fetch_image(entry)
        model = self.model or self.workflow.checkpoint() or "comfyui"
        return GenerationResult(image=image, media_type=media_type_of(image), model=model[:200],
                                seed=seed if seed <= MAX_SEED else None, generator=self.name)

    async def _upload(self, request: GenerationRequest) -> str:
        png = source_as_png(request.source_image, request.size)

        def form() -> aiohttp.FormData:  # a new form per attempt: a sent one cannot be sent again
            data = aiohttp.FormData()
            data.add_field("image", png, filename=f"muralist-{uuid.uuid4().hex}.png", content_type="image/png")
            data.add_field("type", "input")
            data.add_field("overwrite", "true")
            return data

        answer = await self.server.json("POST", "/upload/image", data=form)
        if not isinstance(answer, dict) or not isinstance(answer.get("name"), str):
            raise GenerationError(f"the {WHO} server took the source image without naming it")
        subfolder = answer.get("subfolder") or ""
        # LoadImage names an input file by its path under the input folder.
        return f"{subfolder}/{answer['name']}" if subfolder else answer["name"]

    async def _wait(self, prompt_id: str) -> dict:
        deadline = time.monotonic() + self.timeout
        delay = self.poll_interval
        while True:
            history = await self.server.json("GET", f"/history/{prompt_id}")
            entry = history.get(prompt_id) if isinstance(history, dict) else None
            # ComfyUI puts a run in its history once the run has ended, one way or the other.
            if isinstance(entry, dict):
                status = entry.get("status") if isinstance(entry.get("status"), dict) else {}
                if status.get("status_str") == "error":
                    raise GenerationError(f"the {WHO} workflow failed: {_execution_error(status)}")
                if status.get("completed", True):
                    return entry
            if time.monotonic() >= deadline:
                raise BackendUnavailable(f"the {WHO} server did not finish the image within {self.timeout:g} seconds")
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, MAX_POLL_SECONDS)

    async def _fetch_image(self, entry: dict) -> bytes:
        outputs = entry.get("outputs")
        for output in (outputs.values() if isinstance(outputs, dict) else []):
            images = output.get("images") if isinstance(output, dict) else None
            for image in images if isinstance(images, list) else []:
                if isinstance(image, dict) and image.get("type", "output") == "output" and image.get("filename"):
                    params = {"filename": str(image["filename"]), "subfolder": str(image.get("subfolder") or ""),
                              "type": "output"}
                    return await self.server.content("/view", params=params)
        raise GenerationError(f"the {WHO} workflow finished without saving an image")


def _execution_error(status: dict) -> str:
    for message in status.get("messages") or []:
        if isinstance(message, list) and len(message) == 2 and message[0] == "execution_error":
            data = message[1] if isinstance(message[1], dict) else {}
            where = f"node {data.get('node_id')} ({data.get('node_type')})" if data.get("node_id") else "a node"
            text = " ".join(str(data.get("exception_message") or "").split())[:300]
            return f"{where}: {text or data.get('exception_type') or 'failed'}"
    return "the server gave no reason"
