"""Reading AS2 JSON as real servers send it: single values or arrays, ids or embedded objects.

Full JSON-LD processing is too slow for an inbox (see DESIGN.md); these helpers normalise the
handful of shapes Mastodon, Pixelfed, GoToSocial and Misskey actually produce.
"""

import re
from typing import Any

from .context import PUBLIC
from .errors import InvalidActivity

# The three spellings of the public collection that appear on the wire.
PUBLIC_FORMS = {PUBLIC, "as:Public", "Public"}
# What no column can hold: NUL (PostgreSQL refuses it in text) and lone surrogates, which JSON
# lets through as "\ud800" and neither database can encode.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_CLEAN_DEPTH = 64


def storable(value: Any, depth: int = 0) -> Any:
    """A document with every string made storable (NUL and lone surrogates dropped), read
    before any of its text reaches a column. Deeper than MAX_CLEAN_DEPTH is cut off."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value) if _UNSTORABLE.search(value) else value
    if depth >= MAX_CLEAN_DEPTH:
        return None
    if isinstance(value, list):
        return [storable(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {storable(key, depth + 1): storable(item, depth + 1) for key, item in value.items()}
    return value


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def id_of(value: Any) -> str | None:
    """The IRI of a reference that may be a string, an embedded object, or a Link."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        ref = value.get("id") or value.get("href")
        return ref if isinstance(ref, str) else None
    if isinstance(value, list) and value:
        return id_of(value[0])
    return None


def require_id(value: Any, what: str) -> str:
    ref = id_of(value)
    if not ref or not ref.startswith(("https://", "http://")):
        raise InvalidActivity(f"{what} has no usable id")
    return ref


def types_of(document: dict) -> set[str]:
    return {t for t in as_list(document.get("type")) if isinstance(t, str)}


def has_type(document: Any, *names: str) -> bool:
    return isinstance(document, dict) and bool(types_of(document) & set(names))


def audience(document: dict) -> set[str]:
    """Every addressee of a document (to, cc, bto, bcc, audience), public normalised."""
    found: set[str] = set()
    for key in ("to", "cc", "bto", "bcc", "audience"):
        for item in as_list(document.get(key)):
            ref = id_of(item)
            if ref:
                found.add(PUBLIC if ref in PUBLIC_FORMS else ref)
    return found


def first_url(value: Any, prefer_types: tuple[str, ...] = ("text/html",)) -> str | None:
    """The first URL of a `url` that may be a string, a Link, or a list of either."""
    candidates = as_list(value)
    for item in candidates:
        if isinstance(item, dict) and item.get("mediaType") in prefer_types and isinstance(item.get("href"), str):
            return item["href"]
    for item in candidates:
        if isinstance(item, str):
            return item
        if isinstance(item, dict) and isinstance(item.get("href"), str):
            return item["href"]
    return None


def text_of(value: Any, limit: int) -> str:
    """A string field, or the first language of a *Map, cut to `limit` characters."""
    if isinstance(value, dict):
        value = next((v for v in value.values() if isinstance(v, str)), "")
    if not isinstance(value, str):
        return ""
    return value[:limit]


def host_of(uri: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(uri).netloc.lower()


def same_origin(a: str, b: str) -> bool:
    return host_of(a) == host_of(b) and bool(host_of(a))
