"""Reading a prompt: which themes, colours and moods its words name.

Everything the procedural generator knows about language lives here, as
plain tables. Words it does not know still count: each is hashed to a hue
so that "a cat" and "a dog" get different pictures.
"""

import hashlib
import re
from dataclasses import dataclass

from generation.procedural.canvas import RGB

THEME_WORDS: dict[str, tuple[str, ...]] = {
    "sunset": ("sunset", "sunrise", "dusk", "dawn", "evening", "twilight", "golden", "afterglow"),
    "night": ("night", "midnight", "moon", "moonlight", "moonlit", "star", "starry", "nocturne", "dark"),
    "space": ("space", "galaxy", "nebula", "cosmos", "cosmic", "planet", "universe", "stars", "astronaut"),
    "day": ("day", "noon", "morning", "sunny", "summer", "sunshine", "sun", "bright"),
    "ocean": ("ocean", "sea", "wave", "beach", "coast", "shore", "lake", "river", "water", "harbor", "harbour",
              "island", "bay", "tide", "surf", "sail", "boat", "reef"),
    "forest": ("forest", "tree", "woods", "wood", "jungle", "pine", "grove", "autumn", "fall", "oak", "rainforest",
               "leaf", "leaves"),
    "city": ("city", "skyline", "street", "urban", "building", "tower", "downtown", "skyscraper", "town",
             "metropolis", "village", "rooftop", "cyberpunk"),
    "mountain": ("mountain", "peak", "alps", "summit", "cliff", "ridge", "range", "canyon", "volcano", "valley"),
    "hills": ("hill", "field", "meadow", "countryside", "farm", "prairie", "grass", "landscape", "pasture"),
    "flower": ("flower", "garden", "bloom", "blossom", "rose", "tulip", "spring", "petal", "daisy", "sunflower",
               "lily", "poppy", "orchid", "lotus", "cherry"),
    "desert": ("desert", "dune", "sand", "cactus", "sahara", "oasis", "arid", "mesa", "savanna"),
    "snow": ("snow", "winter", "ice", "frozen", "glacier", "arctic", "frost", "snowy", "icy", "blizzard", "polar"),
    "fire": ("fire", "flame", "lava", "volcano", "inferno", "burning", "ember", "blaze", "phoenix", "dragon", "hell"),
    "storm": ("storm", "rain", "rainy", "thunder", "lightning", "cloud", "cloudy", "overcast", "tempest"),
    "abstract": ("abstract", "geometric", "circle", "shape", "pattern", "square", "triangle", "cubism",
                 "bauhaus", "kandinsky", "mondrian", "minimal", "minimalist", "mandala", "fractal", "dream"),
}

MOOD_WORDS: dict[str, tuple[str, ...]] = {
    "calm": ("calm", "peaceful", "serene", "quiet", "tranquil", "gentle", "soft", "still", "cozy", "pastel"),
    "happy": ("happy", "joyful", "cheerful", "vibrant", "vivid", "playful", "colorful", "colourful", "fun", "lively"),
    "gloomy": ("gloomy", "sad", "melancholy", "lonely", "moody", "ominous", "grim", "haunted", "eerie", "somber"),
    "dreamy": ("dreamy", "magical", "fairy", "ethereal", "enchanted", "mystical", "fantasy", "whimsical", "surreal"),
    "fierce": ("angry", "fierce", "intense", "chaotic", "wild", "raging", "epic", "dramatic", "furious"),
    "misty": ("misty", "foggy", "fog", "mist", "hazy", "haze", "smoky", "mysterious"),
}

COLOUR_WORDS: dict[str, RGB] = {
    "red": (214, 40, 40), "crimson": (176, 16, 48), "scarlet": (230, 32, 20), "maroon": (120, 20, 40),
    "orange": (247, 127, 0), "amber": (255, 176, 0), "coral": (255, 111, 97), "peach": (255, 190, 150),
    "yellow": (252, 211, 40), "gold": (230, 180, 40), "golden": (232, 178, 48), "lemon": (250, 240, 90),
    "green": (46, 160, 67), "emerald": (16, 150, 100), "olive": (120, 130, 40), "lime": (160, 220, 50),
    "mint": (150, 230, 190), "jade": (0, 168, 107),
    "teal": (0, 128, 128), "turquoise": (48, 213, 200), "cyan": (0, 200, 230), "aqua": (60, 220, 220),
    "blue": (40, 90, 210), "navy": (20, 30, 90), "azure": (40, 140, 240), "cobalt": (0, 71, 171),
    "sapphire": (15, 82, 186), "indigo": (75, 0, 130),
    "purple": (128, 50, 170), "violet": (143, 0, 255), "lavender": (181, 150, 230), "lilac": (200, 162, 200),
    "magenta": (220, 30, 160), "pink": (255, 120, 180), "rose": (240, 100, 130), "fuchsia": (240, 40, 180),
    "brown": (120, 72, 40), "beige": (225, 205, 170), "tan": (210, 180, 140), "copper": (184, 115, 51),
    "black": (18, 18, 22), "white": (245, 245, 245), "grey": (128, 128, 132), "gray": (128, 128, 132),
    "silver": (192, 192, 200), "ivory": (250, 245, 225), "cream": (250, 240, 210),
}

# Words that carry no picture; they neither match tables nor seed hues.
STOP_WORDS = frozenset(
    "a an the of in on at by with and or but to from for into over under above below near beside my your our "
    "their his her its is are was were be being been this that these those it as very some many few lots "
    "picture image painting photo drawing art style render scene view made big small little tiny huge".split()
)

_WORD = re.compile(r"[\w'\-]+")  # \w is Unicode: a prompt in any script still yields words
_INDEX = {word: theme for theme, words in THEME_WORDS.items() for word in words}
_MOODS = {word: mood for mood, words in MOOD_WORDS.items() for word in words}


@dataclass(frozen=True)
class Reading:
    words: tuple[str, ...]
    themes: tuple[str, ...]  # in order of first mention, no repeats
    colours: tuple[RGB, ...]  # every colour named, in order
    sky_colours: tuple[RGB, ...]  # those said of the sky ("a red sky")
    land_colours: tuple[RGB, ...]  # those said of the land or water ("purple mountains")
    thing_colours: tuple[RGB, ...]  # those said of a thing in the picture ("a red rose")
    moods: tuple[str, ...]
    unknown: tuple[str, ...]  # content words found in no table

    def has(self, *themes: str) -> bool:
        return any(theme in self.themes for theme in themes)


def _singulars(word: str):
    """The word itself, then what it might be the plural of ("trees", "daisies", "leaves", "bushes")."""
    yield word
    for suffix, replacement in (("s", ""), ("es", ""), ("ies", "y"), ("ves", "f")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            yield word[: -len(suffix)] + replacement


def _lookup(word: str, table: dict):
    for candidate in _singulars(word):
        if candidate in table:
            return table[candidate]
    return None


def read_prompt(prompt: str) -> Reading:
    words = tuple(_WORD.findall(prompt.lower()))
    themes: list[str] = []
    colours: list[RGB] = []
    moods: list[str] = []
    unknown: list[str] = []
    for word in words:
        theme, mood, colour = _lookup(word, _INDEX), _lookup(word, _MOODS), _lookup(word, COLOUR_WORDS)
        if theme and theme not in themes:
            themes.append(theme)
        if mood and mood not in moods:
            moods.append(mood)
        if colour:
            colours.append(colour)
        if not (theme or mood or colour) and word not in STOP_WORDS and len(word) > 2:
            unknown.append(word)
    sky, land, things = _colour_targets(words)
    return Reading(words, tuple(themes), tuple(colours), sky, land, things, tuple(moods), tuple(unknown))


SKY_NOUNS = frozenset("sky skies heaven heavens cloud clouds sunset sunrise dusk dawn moon sun light".split())
LAND_THEMES = ("ocean", "forest", "city", "mountain", "hills", "desert", "snow")


def _colour_targets(words: tuple[str, ...]) -> tuple[tuple[RGB, ...], tuple[RGB, ...], tuple[RGB, ...]]:
    """Named colours sorted by what they are said of: the sky, the land, or a thing ("a red rose").

    A colour said of nothing in particular ("everything red") is in none of the three.
    """
    sky: list[RGB] = []
    land: list[RGB] = []
    things: list[RGB] = []
    for i, word in enumerate(words):
        colour = _lookup(word, COLOUR_WORDS)
        if colour is None:
            continue
        for noun in words[i + 1:i + 3]:
            if noun in SKY_NOUNS:
                sky.append(colour)
            elif _lookup(noun, _INDEX) in LAND_THEMES:
                land.append(colour)
            elif _lookup(noun, COLOUR_WORDS) is None and _lookup(noun, _MOODS) is None and noun not in STOP_WORDS:
                things.append(colour)  # a flower, a balloon, a dragon: colour the thing, not the world
            else:
                continue
            break
    return tuple(sky), tuple(land), tuple(things)


def word_hue(word: str) -> float:
    """A stable hue in [0, 1) for any word."""
    digest = hashlib.sha256(word.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def time_of_day(reading: Reading) -> str:
    """The light the picture is in: one of space, night, sunset, fire, storm, day."""
    for time in ("space", "night", "sunset"):
        if reading.has(time):
            return time
    if reading.has("fire"):
        return "fire"
    if reading.has("storm") or "gloomy" in reading.moods:
        return "storm"
    return "day"
