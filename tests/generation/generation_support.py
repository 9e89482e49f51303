"""Helpers for the generator tests: decoding PNGs and comparing pictures."""

import io

import numpy as np
from PIL import Image

from generation import GenerationRequest
from generation.procedural import ProceduralGenerator

SMALL = (96, 96)


def render(prompt: str, **fields) -> bytes:
    fields.setdefault("size", SMALL)
    return ProceduralGenerator().render(GenerationRequest(prompt, **fields)).image


def pixels(png: bytes) -> np.ndarray:
    """Decoded RGB pixels as floats, shape (height, width, 3)."""
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.float32)


def mean_difference(a: bytes, b: bytes) -> float:
    return float(np.abs(pixels(a) - pixels(b)).mean())


def tone_correlation(a: np.ndarray, b: np.ndarray) -> float:
    grey_a, grey_b = a.mean(axis=2).ravel(), b.mean(axis=2).ravel()
    return float(np.corrcoef(grey_a, grey_b)[0, 1])
