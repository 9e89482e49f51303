"""The catalogue of named styles that every generator understands.

The names are shared so a post keeps its meaning whichever backend drew it:
the procedural generator renders each one itself, the OpenAI backend turns
the description into words appended to the prompt.
"""

from dataclasses import dataclass

from generation.errors import InvalidGenerationRequest


@dataclass(frozen=True)
class StyleInfo:
    name: str
    description: str


STYLES: tuple[StyleInfo, ...] = (
    StyleInfo("watercolor", "soft watercolor painting: bleeding washes, dark pigment edges, paper grain"),
    StyleInfo("impressionist", "impressionist oil painting: short visible brush strokes that follow the forms"),
    StyleInfo("pixel-art", "retro pixel art: big square pixels, a small palette, ordered shading"),
    StyleInfo("geometric", "flat geometric poster: hard-edged shapes, banded colour, Bauhaus circles"),
    StyleInfo("synthwave", "neon synthwave: dark sky, glowing magenta and cyan outlines, a perspective grid"),
    StyleInfo("ink", "ink drawing: black brush lines and grey washes on cream paper, a red seal"),
    StyleInfo("low-poly", "low-poly art: the scene cut into flat-shaded triangles"),
)

DEFAULT_STYLE = "impressionist"

# Other names people type for the same styles.
ALIASES: dict[str, str] = {
    "oil": "impressionist",
    "painting": "impressionist",
    "impressionism": "impressionist",
    "watercolour": "watercolor",
    "pixel": "pixel-art",
    "pixelart": "pixel-art",
    "8-bit": "pixel-art",
    "neon": "synthwave",
    "vaporwave": "synthwave",
    "line": "ink",
    "sumi-e": "ink",
    "lowpoly": "low-poly",
    "poly": "low-poly",
    "flat": "geometric",
    "bauhaus": "geometric",
}

_BY_NAME = {style.name: style for style in STYLES}

# Aliases that are safe to read in a prompt: "flat", "line" or "painting" say
# something about the subject as often as about the style, so they are left out.
_PROMPT_HINTS = ("watercolour", "oil", "impressionism", "pixelart", "8-bit", "neon", "vaporwave", "sumi-e", "lowpoly", "bauhaus")


def list_styles() -> list[StyleInfo]:
    """Every style, in display order, with a one-line description."""
    return list(STYLES)


def canonical_style(name: str) -> str:
    """The catalogue name for `name` (case, spaces and aliases forgiven), or raise."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    key = ALIASES.get(key, key)
    if key not in _BY_NAME:
        known = ", ".join(style.name for style in STYLES)
        raise InvalidGenerationRequest(f"unknown style {name!r}; choose one of: {known}")
    return key


def style_info(name: str) -> StyleInfo:
    return _BY_NAME[canonical_style(name)]


def style_named_in(prompt: str) -> str | None:
    """A style the prompt asks for in its own words ("a watercolor of ..."), if any."""
    words = prompt.lower().replace(",", " ").replace(".", " ").split()
    joined = " ".join(words)
    for style in STYLES:
        if style.name in words or style.name.replace("-", " ") in joined:
            return style.name
    for alias in _PROMPT_HINTS:
        if alias in words:
            return ALIASES[alias]
    return None


def styled_prompt(prompt: str, style: str | None) -> str:
    """The prompt with the style said in words, for models that only read text."""
    if style is None:
        return prompt
    return f"{prompt}, {style_info(style).description}"
