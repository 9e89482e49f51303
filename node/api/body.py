"""The one reader of client API requests: the query string and a JSON, form-urlencoded or
multipart body become one Params (node/api/params.py) with typed access.

Mastodon is a Rails app, and clients rely on Rails' field names: `name[]` fields collect into a
list and `name[key]` fields into a dict (node/api/form_names.py); JSON bodies are taken as they
are. The query string and the body are merged, and on a name in both the body wins (Rails lets
the query win; no client sends a field twice, and a body is what the client meant to submit).
Every body is read under a size limit and a nesting limit. A multipart body may carry files
only in the fields the endpoint names, each under its own limit; any other file is refused.
"""

import json
from collections.abc import Mapping
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from ..errors import ValidationError
from .form_names import json_depth_problem, parse_pairs
from .params import Params, Upload

__all__ = ["MAX_BODY_BYTES", "MAX_FIELDS", "Params", "Upload", "parse_pairs", "query_params", "read_params"]

MAX_BODY_BYTES = 1024 * 1024  # text fields; files have their own limits
MAX_FIELDS = 1000
MULTIPART_FRAMING = 64 * 1024  # boundaries and part headers, on top of the fields and files
FORM_TYPES = ("application/x-www-form-urlencoded", "application/octet-stream", "")


def query_params(request: web.Request) -> Params:
    """The query string alone (GET endpoints); a bad value there is a 400, as Mastodon answers."""
    return Params(parse_pairs(request.query.items()), status=400, repeated=request.query)


async def read_params(request: web.Request, *, include_query: bool = True, files: Mapping[str, int] | None = None,
                      max_bytes: int = MAX_BODY_BYTES, status: int = 422) -> Params:
    """The request's parameters: 400 for a malformed body, 413 a too large one, 415 an unknown type.

    `files` maps the multipart fields that may carry a file to each file's byte limit; `status`
    is the answer to a value of the wrong type (OAuth endpoints answer 400, the rest 422).
    """
    values = parse_pairs(request.query.items()) if include_query else {}
    body, uploads = await _read_body(request, dict(files or {}), max_bytes)
    values.update(body)
    return Params(values, files=uploads, status=status)


async def _read_body(request: web.Request, files: dict[str, int], max_bytes: int) -> tuple[dict, dict[str, Upload]]:
    if not request.body_exists:
        return {}, {}
    content_type = request.content_type
    multipart = content_type == "multipart/form-data"
    allowed = max_bytes + (sum(files.values()) + MULTIPART_FRAMING if multipart else 0)
    if request.content_length is not None and request.content_length > allowed:
        raise ValidationError("the request body is too large", status=413)
    if multipart:
        return await _read_multipart(request, files, max_bytes)
    if content_type == "application/json" or content_type.endswith("+json"):
        raw = await _read_limited(request, max_bytes)
        return (_parse_json(raw) if raw.strip() else {}), {}
    if content_type in FORM_TYPES:
        return parse_pairs(_parse_form(await _read_limited(request, max_bytes))), {}
    raise ValidationError(f"unsupported content type {content_type!r}", status=415)


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
    except RecursionError as exc:
        raise ValidationError("the JSON body nests too deep", status=400) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"the body is not valid JSON: {exc}", status=400) from exc
    if not isinstance(body, dict):
        raise ValidationError("the JSON body must be an object", status=400)
    problem = json_depth_problem(body)
    if problem:
        raise ValidationError(problem, status=400)
    return body


def _parse_form(raw: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(f"the form body is malformed: {exc}", status=400) from exc


async def _read_multipart(request: web.Request, files: dict[str, int],
                          max_bytes: int) -> tuple[dict, dict[str, Upload]]:
    """Text fields (all together under `max_bytes`) and the files of the named fields."""
    pairs: list[tuple[str, str]] = []
    uploads: dict[str, Upload] = {}
    text_size = 0
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise ValidationError("nested multipart bodies are not accepted", status=400)
            if len(pairs) + len(uploads) >= MAX_FIELDS:
                raise ValidationError("too many fields", status=413)
            name = part.name or ""
            # A part in a file field is a file even without a filename (some clients leave it out).
            if name in files:
                data = await _read_part(part, files[name], f"the file in {name!r}")
                uploads[name] = Upload(data, part.filename, part.headers.get("Content-Type"))
            elif part.filename is not None:
                raise ValidationError(f"unexpected file in field {name!r}")
            else:
                data = await _read_part(part, max_bytes - text_size, "the request body")
                text_size += len(data)
                pairs.append((name, _decode(data)))
    except (ValueError, AssertionError, HttpProcessingError) as exc:
        # HttpProcessingError: aiohttp's verdict on a part's headers (a control character,
        # a line too long), which is the client's mistake like any other malformed body.
        raise ValidationError(f"the multipart body is malformed: {exc}", status=400) from exc
    return parse_pairs(pairs), uploads


async def _read_part(part: BodyPartReader, limit: int, what: str) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk():
        data.extend(chunk)
        if len(data) > limit:
            raise ValidationError(f"{what} is too large", status=413)
    return bytes(data)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError("form fields must be UTF-8", status=400) from exc
