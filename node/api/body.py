"""Request parameters of the client API: a JSON, form-urlencoded or multipart body as one dict.

Mastodon is a Rails app, and clients rely on Rails' parameter rules: the query string and the
body are merged (the body wins), `name[]` fields collect into a list and `name[key]` fields into
a dict. JSON bodies are taken as they are. Every body is read under a size limit.
"""

import json
import re
from urllib.parse import parse_qsl

from aiohttp import web

from ..errors import ValidationError

MAX_BODY_BYTES = 1024 * 1024  # API forms are small; media uploads read their own bodies
MAX_FIELDS = 1000
_KEY_PART = re.compile(r"\[([^\[\]]*)\]")


async def read_params(request: web.Request, *, include_query: bool = True, max_bytes: int = MAX_BODY_BYTES) -> dict:
    """The request's parameters; 400 for a malformed body, 413 too large, 415 an unknown type."""
    params = parse_pairs(request.query.items()) if include_query else {}
    if request.method in ("GET", "HEAD", "DELETE") and not request.body_exists:
        return params
    if request.content_length is not None and request.content_length > max_bytes:
        raise ValidationError("the request body is too large", status=413)
    content_type = request.content_type
    if content_type == "multipart/form-data":
        body = await _read_multipart(request, max_bytes)
    else:
        raw = await _read_limited(request, max_bytes)
        if not raw.strip():
            return params
        if content_type == "application/json" or content_type.endswith("+json"):
            body = _parse_json(raw)
        elif content_type in ("application/x-www-form-urlencoded", "application/octet-stream", ""):
            body = parse_pairs(_parse_form(raw))
        else:
            raise ValidationError(f"unsupported content type {content_type!r}", status=415)
    params.update(body)
    return params


async def _read_limited(request: web.Request, max_bytes: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > max_bytes:
            raise ValidationError("the request body is too large", status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(raw: bytes) -> dict:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"the body is not valid JSON: {exc}", status=400) from exc
    if not isinstance(body, dict):
        raise ValidationError("the JSON body must be an object", status=400)
    return body


def _parse_form(raw: bytes) -> list[tuple[str, str]]:
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(f"the form body is malformed: {exc}", status=400) from exc
    return pairs


async def _read_multipart(request: web.Request, max_bytes: int) -> dict:
    """Text fields of a multipart body; a file part is refused here (uploads have their own reader)."""
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError) as exc:
        raise ValidationError(f"the multipart body is malformed: {exc}", status=400) from exc
    pairs: list[tuple[str, str]] = []
    size = 0
    while (part := await reader.next()) is not None:
        if part.filename is not None:
            raise ValidationError(f"unexpected file in field {part.name!r}")
        value = bytearray()
        while chunk := await part.read_chunk():
            size += len(chunk)
            if size > max_bytes:
                raise ValidationError("the request body is too large", status=413)
            value.extend(chunk)
        if len(pairs) >= MAX_FIELDS:
            raise ValidationError("too many fields", status=413)
        pairs.append((part.name or "", _decode(value)))
    return parse_pairs(pairs)


def _decode(value: bytearray) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError("form fields must be UTF-8", status=400) from exc


def parse_pairs(pairs) -> dict:
    """Fold (name, value) pairs into Rails-shaped params: `a[]` lists, `a[b]` dicts, `a[][b]` lists of dicts."""
    params: dict = {}
    for name, value in pairs:
        first, _, rest = name.partition("[")
        keys = [first] + (_KEY_PART.findall("[" + rest) if rest else [])
        if first:
            _assign(params, keys, value)
    return params


def _assign(container: dict, keys: list[str], value) -> None:
    key, rest = keys[0], keys[1:]
    if not rest:
        container[key] = value
        return
    if rest[0] == "":
        items = container.get(key)
        if not isinstance(items, list):
            items = container[key] = []
        if len(rest) == 1:
            items.append(value)
            return
        # `a[][name]=..&a[][value]=..`: start a new dict when the current one already has the key.
        if not items or not isinstance(items[-1], dict) or rest[1] in items[-1]:
            items.append({})
        _assign(items[-1], rest[1:], value)
        return
    child = container.get(key)
    if not isinstance(child, dict):
        child = container[key] = {}
    _assign(child, rest, value)
