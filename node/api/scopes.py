"""OAuth scopes of the Mastodon API: the known names, the hierarchy, and parsing a request's scopes.

The hierarchy is Mastodon's (https://docs.joinmastodon.org/api/oauth-scopes/): `read` grants
every `read:*`, `write` every `write:*`, the legacy `follow` grants the block, follow and mute
scopes, and `admin:read` / `admin:write` grant their sub-scopes.
"""

from ..errors import ValidationError
from .params import Params

READ_SCOPES = (
    "read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters", "read:follows",
    "read:lists", "read:mutes", "read:notifications", "read:search", "read:statuses",
)
WRITE_SCOPES = (
    "write:accounts", "write:blocks", "write:bookmarks", "write:conversations", "write:favourites",
    "write:filters", "write:follows", "write:lists", "write:media", "write:mutes", "write:notifications",
    "write:reports", "write:statuses",
)
FOLLOW_SCOPES = ("read:blocks", "write:blocks", "read:follows", "write:follows", "read:mutes", "write:mutes")
ADMIN_READ_SCOPES = (
    "admin:read:accounts", "admin:read:reports", "admin:read:domain_allows", "admin:read:domain_blocks",
    "admin:read:ip_blocks", "admin:read:email_domain_blocks", "admin:read:canonical_email_blocks",
)
ADMIN_WRITE_SCOPES = tuple(scope.replace("admin:read:", "admin:write:") for scope in ADMIN_READ_SCOPES)

# A scope and the narrower scopes it grants.
CHILDREN: dict[str, tuple[str, ...]] = {
    "read": READ_SCOPES,
    "write": WRITE_SCOPES,
    "follow": FOLLOW_SCOPES,
    "admin:read": ADMIN_READ_SCOPES,
    "admin:write": ADMIN_WRITE_SCOPES,
}
TOP_LEVEL = ("read", "write", "follow", "push", "profile", "admin:read", "admin:write")
KNOWN_SCOPES = frozenset(TOP_LEVEL + READ_SCOPES + WRITE_SCOPES + ADMIN_READ_SCOPES + ADMIN_WRITE_SCOPES)

# Doorkeeper's default in Mastodon: a request that names no scope gets `read`.
DEFAULT_SCOPES = ("read",)


def expand(scopes) -> frozenset[str]:
    """Every scope the given ones grant, the given ones included."""
    granted = set(scopes)
    for scope in scopes:
        granted.update(CHILDREN.get(scope, ()))
    return frozenset(granted)


def covers(granted, wanted) -> bool:
    """Whether scopes `granted` include every scope in `wanted`, through the hierarchy."""
    return set(wanted) <= expand(granted)


def parse_scopes(value, *, default: tuple[str, ...] = DEFAULT_SCOPES) -> list[str]:
    """A request's scopes, in the order given and without repeats.

    Clients send `scope` or `scopes` as one space-separated string (RFC 6749 §3.3), as a
    JSON array, or as repeated `scopes[]` form fields; all become one list. Unknown names
    are an error (`invalid_scope`), as in Mastodon.
    """
    items = value if isinstance(value, list) else [value]
    scopes: list[str] = []
    for item in items:
        if item is None:
            continue
        if not isinstance(item, str):
            raise ValidationError("scopes must be strings")
        for scope in item.replace("+", " ").split():
            if scope not in scopes:
                scopes.append(scope)
    if not scopes:
        return list(default)
    unknown = [scope for scope in scopes if scope not in KNOWN_SCOPES]
    if unknown:
        raise ValidationError(f"unknown scope {unknown[0]!r}")
    return scopes


def scope_param(params: Params) -> list[str] | None:
    """The scopes a request names, under whichever name the client used (`scope` in OAuth,
    `scopes` in Mastodon's apps API): one string or a list of strings, as a list."""
    for name in ("scope", "scopes"):
        if params.given(name):
            return params.string_list(name)
    return None
