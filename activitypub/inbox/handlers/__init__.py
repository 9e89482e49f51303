"""Per-activity handlers; importing this package registers all of them."""

from . import follows, notes, reactions, undo, updates  # noqa: F401
