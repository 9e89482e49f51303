"""Jinja2 filters of the web pages: the placeholder colour of a blurhash, and dates."""

from datetime import datetime

BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"
DEFAULT_COLOUR = "#d8d4cc"


def blurhash_colour(blurhash: str | None) -> str:
    """The average colour a blurhash encodes, as `#rrggbb`: its characters 2-5 are the DC
    component, a base-83 sRGB integer (https://github.com/woltapp/blurhash, Algorithm.md).
    A missing or malformed hash (remote input) gives a neutral grey."""
    if not isinstance(blurhash, str) or len(blurhash) < 6:
        return DEFAULT_COLOUR
    value = 0
    for char in blurhash[2:6]:
        digit = BASE83.find(char)
        if digit < 0:
            return DEFAULT_COLOUR
        value = value * 83 + digit
    return f"#{min(value, 0xFFFFFF):06x}"


def human_date(when: datetime | None) -> str:
    return when.strftime("%-d %b %Y, %H:%M UTC") if when is not None else ""


def iso(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when is not None else ""


FILTERS = {"blurhash_colour": blurhash_colour, "human_date": human_date, "iso": iso}
