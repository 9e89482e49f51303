"""The `automatic1111` generator: the web API of AUTOMATIC1111's Stable Diffusion web UI and of
Forge, which keeps the same routes (`--api`; `--api-auth user:password` for HTTP Basic).

New images are `POST /sdapi/v1/txt2img`, remixes `POST /sdapi/v1/img2img` with the source as
the one `init_images` entry and `denoising_strength` saying how far to move from it. Both answer
`{"images": [base64 PNG], "parameters": {...}, "info": "<JSON text>"}`; the seed and model the
server really used are read from `info`. A chosen checkpoint goes in `override_settings`, which
the server restores afterwards, so one server can serve other users too.
"""

import base64
import json

from generation.base import MAX_SEED, GenerationRequest, GenerationResult, validate_request
from generation.errors import GenerationError
from generation.images import choose_seed, decode_base64_image, media_type_of, source_as_png
from generation.remote import RemoteServer
from generation.styles import styled_prompt

WHO = "AUTOMATIC1111"


def describe_error(body) -> str | None:
    """FastAPI's `{"detail": ...}` (422 lists the fields) or the web UI's `{"error", "errors"}` on a 500."""
    if not isinstance(body, dict):
        return None
    detail = body.get("detail")
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(map(str, item.get('loc', [])))}: {item.get('msg', '')}"
                         for item in detail if isinstance(item, dict))
    for key in ("errors", "error", "detail"):
        if isinstance(body.get(key), str) and body[key]:
            return body[key]
    return None


class Automatic1111Generator:
    name = "automatic1111"

    def __init__(self, *, base_url: str | None = None, auth: str | None = None, model: str | None = None,
                 steps: int = 20, guidance: float = 7.0, sampler: str = "Euler a", strength: float = 0.6,
                 negative_prompt: str = "", timeout: float = 300.0, retries: int = 2, retry_delay: float = 1.0):
        """`model` is a checkpoint title as /sdapi/v1/sd-models lists it; None uses the server's own."""
        if not 0.0 < strength <= 1.0:
            raise GenerationError("the remix strength must be above 0 and at most 1")
        self.server = RemoteServer(WHO, base_url, auth=auth, timeout=timeout, retries=retries,
                                   retry_delay=retry_delay, describe=describe_error)
        self.model, self.steps, self.guidance = model, steps, guidance
        self.sampler, self.strength, self.negative_prompt = sampler, strength, negative_prompt

    async def aclose(self) -> None:
        await self.server.aclose()

    def describe(self) -> dict:
        return {"model": self.model or "the server's checkpoint", "seeds": True, "remix": True}

    def payload(self, request: GenerationRequest, seed: int) -> dict:
        payload = {
            "prompt": styled_prompt(request.prompt, request.style), "negative_prompt": self.negative_prompt,
            "seed": seed, "steps": self.steps, "cfg_scale": self.guidance, "sampler_name": self.sampler,
            "width": request.size[0], "height": request.size[1], "batch_size": 1, "n_iter": 1,
            "send_images": True, "save_images": False,
        }
        if self.model:
            payload["override_settings"] = {"sd_model_checkpoint": self.model}
            payload["override_settings_restore_afterwards"] = True
        if request.source_image is not None:
            png = source_as_png(request.source_image, request.size)
            payload["init_images"] = [base64.b64encode(png).decode("ascii")]
            payload["denoising_strength"] = self.strength
        return payload

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        request = validate_request(request)
        seed = choose_seed(request.seed)
        route = "/sdapi/v1/img2img" if request.source_image is not None else "/sdapi/v1/txt2img"
        answer = await self.server.json("POST", route, json=self.payload(request, seed))
        if not isinstance(answer, dict) or not isinstance(answer.get("images"), list) or not answer["images"]:
            raise GenerationError(f"the {WHO} server answered {route} without an image")
        image = decode_base64_image(answer["images"][0], f"the {WHO} server")
        info = _info(answer.get("info"))
        used_seed = info.get("seed")
        model = info.get("sd_model_name") or self.model or "automatic1111"
        return GenerationResult(
            image=image, media_type=media_type_of(image), model=str(model)[:200],
            seed=used_seed if _is_seed(used_seed) else seed, generator=self.name)


def _info(text) -> dict:
    """`info` is JSON inside a string; an extension may leave it out or break it: then we know less."""
    if isinstance(text, dict):
        return text
    try:
        info = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return info if isinstance(info, dict) else {}


def _is_seed(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SEED
