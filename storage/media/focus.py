"""Focal points in Mastodon's convention.

x and y run from -1 to 1 with (0, 0) the centre, x growing to the right and
y growing upwards (https://docs.joinmastodon.org/api/guidelines/#focal-points).
ActivityPub's `focalPoint` carries the same pair.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .errors import InvalidFocus

Focus = tuple[float, float]
CENTRE: Focus = (0.0, 0.0)


def validate_focus(focus: Sequence[object] | None) -> Focus:
    """Return the focal point as two floats in -1..1; None means the centre."""
    if focus is None:
        return CENTRE
    if isinstance(focus, (str, bytes)) or len(focus) != 2:
        raise InvalidFocus("focal point must be two numbers (x, y)")
    return (_coordinate(focus[0], "x"), _coordinate(focus[1], "y"))


def parse_focus(text: str | None) -> Focus:
    """Parse the client API form "x,y" (for example "-0.5,0.25")."""
    if text is None or not text.strip():
        return CENTRE
    parts = text.split(",")
    if len(parts) != 2:
        raise InvalidFocus(f"focal point must look like 'x,y', got {text!r}")
    try:
        pair = (float(parts[0]), float(parts[1]))
    except ValueError as exc:
        raise InvalidFocus(f"focal point must look like 'x,y', got {text!r}") from exc
    return validate_focus(pair)


def _coordinate(value: object, name: str) -> float:
    # bool is an int subclass; True as a coordinate is a caller's mistake.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidFocus(f"focal point {name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or not -1.0 <= number <= 1.0:
        raise InvalidFocus(f"focal point {name} must be between -1 and 1, got {value!r}")
    return number
