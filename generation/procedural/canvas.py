"""The drawing surface and the numeric helpers every motif and style shares.

A `Canvas` is a Pillow RGB image plus an alpha-blending ImageDraw; motifs that
are easier as array maths (gradients, masks, noise) go through `array()` and
`put()`. Sizes are given as fractions of the canvas so a prompt composes the
same way at 256 and at 2048 pixels.
"""

import colorsys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

RGB = tuple[int, int, int]


class Canvas:
    def __init__(self, width: int, height: int, detail: float = 1.0) -> None:
        self.width = width
        self.height = height
        self.unit = min(width, height)  # the yardstick for sizes of things
        self.detail = detail  # >1 draws more strokes, stars, petals
        self.image = Image.new("RGB", (width, height))
        self._draw: ImageDraw.ImageDraw | None = None

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        # "RGBA" mode on an RGB image makes translucent fills blend instead of replace.
        if self._draw is None:
            self._draw = ImageDraw.Draw(self.image, "RGBA")
        return self._draw

    def array(self) -> np.ndarray:
        return np.asarray(self.image, dtype=np.float32)

    def put(self, pixels: np.ndarray) -> None:
        self.set_image(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB"))

    def set_image(self, image: Image.Image) -> None:
        self.image = image.convert("RGB") if image.mode != "RGB" else image
        self._draw = None

    def x(self, fraction: float) -> float:
        return fraction * self.width

    def y(self, fraction: float) -> float:
        return fraction * self.height

    def s(self, fraction: float) -> float:
        """A length given as a fraction of the short side, at least one pixel."""
        return max(1.0, fraction * self.unit)

    def count(self, n: float) -> int:
        return max(1, int(round(n * self.detail)))


def value_noise(rng: np.random.Generator, width: int, height: int, cells: int, octaves: int = 1) -> np.ndarray:
    """Smooth fractal noise in [0, 1], shape (height, width): random grids upscaled bicubically."""
    total = np.zeros((height, width), dtype=np.float32)
    weight = 0.0
    for octave in range(octaves):
        n = cells * 2**octave
        grid_w = max(2, int(round(n * width / max(width, height))) + 1)
        grid_h = max(2, int(round(n * height / max(width, height))) + 1)
        grid = rng.random((grid_h, grid_w), dtype=np.float32)
        layer = np.asarray(Image.fromarray(grid, "F").resize((width, height), Image.BICUBIC))
        amplitude = 0.5**octave
        total += layer * amplitude
        weight += amplitude
    return np.clip(total / weight, 0.0, 1.0)


def curve(rng: np.random.Generator, length: int, points: int, jagged: bool = False) -> np.ndarray:
    """A random 1-D profile in [0, 1]: angular (linear) for ridges, smooth otherwise."""
    knots = rng.random(points + 1)
    where = np.linspace(0, points, length)
    if jagged:
        return np.interp(where, np.arange(points + 1), knots)
    low = np.floor(where).astype(int).clip(0, points - 1)
    t = where - low
    t = t * t * (3 - 2 * t)  # smoothstep keeps slopes continuous at the knots
    return knots[low] * (1 - t) + knots[low + 1] * t


def fractal_curve(rng: np.random.Generator, length: int, points: int, octaves: int, jagged: bool) -> np.ndarray:
    total = np.zeros(length)
    weight = 0.0
    for octave in range(octaves):
        amplitude = 0.5**octave
        total += curve(rng, length, points * 2**octave, jagged) * amplitude
        weight += amplitude
    return total / weight


def vertical_gradient(height: int, width: int, top: RGB, bottom: RGB, power: float = 1.0) -> np.ndarray:
    t = np.linspace(0.0, 1.0, height, dtype=np.float32) ** power
    column = np.asarray(top, np.float32)[None, :] * (1 - t[:, None]) + np.asarray(bottom, np.float32)[None, :] * t[:, None]
    return np.broadcast_to(column[:, None, :], (height, width, 3)).copy()


def blur(pixels: np.ndarray, radius: float) -> np.ndarray:
    """Gaussian blur of an (h, w, 3) or (h, w) float array through Pillow (much faster than numpy)."""
    if radius < 0.5:
        return pixels
    mode = "L" if pixels.ndim == 2 else "RGB"
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode)
    return np.asarray(blur_image(image, radius), dtype=np.float32)


def blur_image(image: Image.Image, radius: float) -> Image.Image:
    # A wide blur keeps no fine detail, so do it on a reduced copy and scale back: same look, a fraction of the time.
    factor = int(min(4, radius // 3))
    if factor < 2 or min(image.size) < 64 * factor:
        return image.filter(ImageFilter.GaussianBlur(radius))
    small = image.reduce(factor).filter(ImageFilter.GaussianBlur(radius / factor))
    return small.resize(image.size, Image.BILINEAR)


def edge_map(grey: np.ndarray) -> np.ndarray:
    """Edge strength (0..255) of a grey array; the frame is cleared because the filter rings there."""
    edges = np.asarray(Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8), "L").filter(ImageFilter.FIND_EDGES), np.float32)
    edges[:2] = 0
    edges[-2:] = 0
    edges[:, :2] = 0
    edges[:, -2:] = 0
    return edges


def luminance(pixels: np.ndarray) -> np.ndarray:
    return pixels[..., 0] * 0.299 + pixels[..., 1] * 0.587 + pixels[..., 2] * 0.114


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(int(round(x * (1 - t) + y * t)) for x, y in zip(a, b))


def shade(colour: RGB, factor: float) -> RGB:
    """Scale brightness: below 1 darkens, above 1 moves toward white."""
    if factor <= 1:
        return tuple(int(c * factor) for c in colour)
    return mix(colour, (255, 255, 255), min(1.0, factor - 1))


def hsv_adjust(colour: RGB, hue: float = 0.0, sat: float = 1.0, val: float = 1.0) -> RGB:
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in colour))
    r, g, b = colorsys.hsv_to_rgb((h + hue) % 1.0, min(1.0, s * sat), min(1.0, v * val))
    return int(r * 255), int(g * 255), int(b * 255)


def hue_colour(hue: float, sat: float, val: float) -> RGB:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, sat, val)
    return int(r * 255), int(g * 255), int(b * 255)


def with_alpha(colour: RGB, alpha: float) -> tuple[int, int, int, int]:
    return colour[0], colour[1], colour[2], int(max(0.0, min(1.0, alpha)) * 255)
