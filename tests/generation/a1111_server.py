"""An AUTOMATIC1111/Forge web API on loopback: `/sdapi/v1/txt2img` and `/sdapi/v1/img2img`.

It checks the JSON body as the server's pydantic models do (a wrong type is a 422 with
FastAPI's `detail` list), the sampler name against its list, `init_images` as base64 images and
`denoising_strength` within 0..1, and HTTP Basic auth when started with `--api-auth`; it
answers `images` (base64 PNG), `parameters` and `info` (JSON inside a string) like the real one.
"""

import binascii
import io
import json
import random
import base64

from aiohttp import web
from PIL import Image

from tests.generation.loopback import LoopbackServer, b64, picture

SAMPLERS = ("Euler a", "Euler", "DPM++ 2M", "DPM++ SDE", "LCM")
CHECKPOINTS = ("sd_xl_turbo_1.0_fp16.safetensors [e869ac7d69]", "v1-5-pruned-emaonly.safetensors [6ce0161689]")
FIELDS = {"prompt": str, "negative_prompt": str, "seed": int, "steps": int, "cfg_scale": (int, float),
          "sampler_name": str, "width": int, "height": int, "batch_size": int, "n_iter": int,
          "send_images": bool, "save_images": bool, "denoising_strength": (int, float), "init_images": list,
          "override_settings": dict, "override_settings_restore_afterwards": bool}


def _unprocessable(field: str, message: str) -> web.Response:
    return web.json_response({"detail": [{"loc": ["body", field], "msg": message, "type": "value_error"}]},
                             status=422)


class Automatic1111Server(LoopbackServer):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.bodies: list[dict] = []
        self.model = CHECKPOINTS[0]

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/sdapi/v1/txt2img", self._txt2img)
        app.router.add_post("/sdapi/v1/img2img", self._img2img)
        app.router.add_get("/sdapi/v1/sd-models", self._models)

    async def _models(self, _request):
        return web.json_response([{"title": title, "model_name": title.split(".")[0]} for title in CHECKPOINTS])

    async def _body(self, request: web.Request) -> dict | web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"detail": [{"loc": ["body"], "msg": "invalid JSON", "type": "value_error"}]},
                                     status=422)
        if not isinstance(body, dict):
            return _unprocessable("body", "value is not a valid dict")
        for name, kind in FIELDS.items():
            if name in body and (not isinstance(body[name], kind) or isinstance(body[name], bool) and kind is int):
                return _unprocessable(name, f"value is not a valid {getattr(kind, '__name__', 'number')}")
        if body.get("sampler_name", "Euler a") not in SAMPLERS:
            # The real server raises HTTPException(404) for an unknown sampler.
            return web.json_response({"detail": f"Sampler not found: {body['sampler_name']}"}, status=404)
        checkpoint = (body.get("override_settings") or {}).get("sd_model_checkpoint")
        if checkpoint is not None and checkpoint not in CHECKPOINTS:
            return web.json_response({"error": "RuntimeError", "detail": "",
                                      "errors": f"model {checkpoint!r} not found"}, status=500)
        self.bodies.append(body)
        return body

    def _answer(self, body: dict, source: Image.Image | None) -> web.Response:
        seed = body.get("seed", -1)
        seed = random.randrange(2**32) if seed == -1 else seed
        size = (body.get("width", 512), body.get("height", 512))
        strength = body.get("denoising_strength", 0.75)
        png = picture(size, seed, body.get("prompt", ""), source, strength)
        model = (body.get("override_settings") or {}).get("sd_model_checkpoint", self.model)
        info = {"prompt": body.get("prompt", ""), "seed": seed, "all_seeds": [seed], "width": size[0],
                "height": size[1], "sd_model_name": model.split(".")[0], "sd_model_hash": "e869ac7d69"}
        return web.json_response({"images": [b64(png)], "parameters": body, "info": json.dumps(info)})

    async def _txt2img(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        if "init_images" in body:
            return _unprocessable("init_images", "extra fields not permitted")
        return self._answer(body, None)

    async def _img2img(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        images = body.get("init_images")
        if not images:
            return web.json_response({"detail": "Init image not found"}, status=404)
        strength = body.get("denoising_strength", 0.75)
        if not 0 <= strength <= 1:
            return _unprocessable("denoising_strength", "ensure this value is less than or equal to 1")
        try:
            source = Image.open(io.BytesIO(base64.b64decode(images[0], validate=True)))
            source.load()
        except (binascii.Error, ValueError, OSError):
            return web.json_response({"error": "PIL.UnidentifiedImageError", "detail": "",
                                      "errors": "cannot identify image file"}, status=500)
        return self._answer(body, source)
