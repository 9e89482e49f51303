"""The procedural pipeline: prompt -> reading -> palette -> scene -> pixels -> style -> PNG.

Everything random comes from generators seeded by (seed, prompt), split so
that the scene is the same whichever style draws it. Same request, same bytes.
"""

import hashlib
import io

import numpy as np
from PIL import Image

from generation.base import GenerationRequest
from generation.procedural.canvas import Canvas
from generation.procedural.composition import build_scene
from generation.procedural.motifs import draw_motifs
from generation.procedural.palette import build_palette
from generation.procedural.remix import paint_source
from generation.procedural.styles import STYLE_RENDERERS
from generation.procedural.words import read_prompt
from generation.styles import DEFAULT_STYLE, style_named_in

MODEL = "procedural-1"
DETAIL = {"low": 0.6, "medium": 1.0, "auto": 1.0, "high": 1.5}
# Level 1 zlib: these images are textured, so stronger levels save little and cost a lot of time.
PNG_COMPRESS_LEVEL = 1
OVERLAY_OPACITY = 0.7


def normalised_prompt(prompt: str) -> str:
    return " ".join(prompt.lower().split())


def derive_seed(prompt: str) -> int:
    """The seed a request without one gets: a stable function of its prompt."""
    return int.from_bytes(hashlib.sha256(normalised_prompt(prompt).encode()).digest()[:4], "big")


def choose_style(request: GenerationRequest) -> str:
    return request.style or style_named_in(request.prompt) or DEFAULT_STYLE


def _generators(prompt: str, seed: int) -> list[np.random.Generator]:
    digest = hashlib.sha256(normalised_prompt(prompt).encode()).digest()
    words = [int.from_bytes(digest[i:i + 4], "big") for i in range(0, 16, 4)]
    sequence = np.random.SeedSequence([seed & 0xFFFFFFFF, seed >> 32, *words])
    return [np.random.default_rng(child) for child in sequence.spawn(3)]


def render_image(request: GenerationRequest) -> tuple[Image.Image, int]:
    """Draw a validated request; returns the picture and the seed it used."""
    seed = request.seed if request.seed is not None else derive_seed(request.prompt)
    scene_rng, draw_rng, style_rng = _generators(request.prompt, seed)
    reading = read_prompt(request.prompt)
    palette = build_palette(reading, scene_rng)
    scene = build_scene(reading, scene_rng)
    renderer = STYLE_RENDERERS[choose_style(request)]
    palette, scene = renderer.prepare(palette, scene)
    canvas = Canvas(*request.size, detail=DETAIL[request.quality])
    if request.source_image is not None:
        paint_source(canvas, request.source_image, palette, draw_rng)
        before = canvas.image.copy()
        draw_motifs(canvas, palette, scene, draw_rng, overlay_only=True)
        # New motifs go on like a glaze, so the source still shows through them.
        canvas.set_image(Image.blend(before, canvas.image, OVERLAY_OPACITY))
    else:
        draw_motifs(canvas, palette, scene, draw_rng)
    renderer.finish(canvas, palette, scene, style_rng)
    return canvas.image, seed


def encode_png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return out.getvalue()


def render_png(request: GenerationRequest) -> tuple[bytes, int]:
    image, seed = render_image(request)
    return encode_png(image), seed
