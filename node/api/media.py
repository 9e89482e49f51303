"""Media uploads of the client API (https://docs.joinmastodon.org/methods/media/).

`POST /api/v1/media` and `/api/v2/media` take a multipart `file` with optional `description`
and `focus` ("x,y"); the image type is sniffed from the bytes, never taken from the part's
declared type or name. Processing is synchronous here, so v2 answers 200 with a `url` at once
(Mastodon answers 202 while it is still processing, and clients handle both). An upload stays
its uploader's, unattached, until a post claims it; only the owner can read or change it.
"""

from aiohttp import web

from storage.media import DEFAULT_MAX_BYTES

from .. import context
from ..actions.media import get_own_media, update_media, upload_media
from ..errors import ValidationError
from ..routing import add_routes
from .auth import require_scopes
from .body import read_params
from .media_entity import media_to_entity

SCOPES = ("write:media",)
MAX_FIELD_BYTES = 64 * 1024
# The image limit plus room for the text fields and the multipart framing.
MAX_UPLOAD_BYTES = DEFAULT_MAX_BYTES + 256 * 1024


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("POST", "/api/v1/media", create_media),
        ("POST", "/api/v2/media", create_media),
        ("GET", r"/api/v1/media/{id:\d+}", show_media),
        ("PUT", r"/api/v1/media/{id:\d+}", change_media),
    ])


async def _read_part(part, limit: int, what: str) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk():
        data.extend(chunk)
        if len(data) > limit:
            raise ValidationError(f"the {what} is larger than {limit} bytes", status=413)
    return bytes(data)


async def read_upload(request: web.Request) -> tuple[bytes, dict]:
    """The file's bytes and the text fields of a multipart upload, each read under its limit."""
    if request.content_type != "multipart/form-data":
        raise ValidationError("send the image as multipart/form-data with a `file` field")
    if request.content_length is not None and request.content_length > MAX_UPLOAD_BYTES:
        raise ValidationError(f"the upload is larger than {DEFAULT_MAX_BYTES} bytes", status=413)
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError) as exc:
        raise ValidationError(f"the multipart body is malformed: {exc}", status=400) from exc
    file_bytes, fields = None, {}
    while (part := await reader.next()) is not None:
        if part.name == "file" and part.filename is not None:
            file_bytes = await _read_part(part, DEFAULT_MAX_BYTES, "file")
        elif part.filename is None and part.name in ("description", "focus"):
            raw = await _read_part(part, MAX_FIELD_BYTES, part.name)
            fields[part.name] = raw.decode("utf-8", errors="replace")
        else:
            # Fields we do not use (a video `thumbnail`, unknown names) are drained, not kept.
            await _read_part(part, MAX_UPLOAD_BYTES, part.name or "field")
    if file_bytes is None:
        raise ValidationError("the `file` field is missing")
    return file_bytes, fields


async def create_media(request: web.Request) -> web.Response:
    auth = await require_scopes(request, *SCOPES)
    data, fields = await read_upload(request)
    async with request.app[context.SESSIONMAKER]() as session:
        media = await upload_media(session, request.app[context.SETTINGS], auth.account, data,
                                   description=fields.get("description"), focus=fields.get("focus"))
        await session.commit()
    return web.json_response(media_to_entity(request.app[context.URLS], media))


async def show_media(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, *SCOPES, session=session)
        media = await get_own_media(session, auth.account, request.match_info["id"])
    return web.json_response(media_to_entity(request.app[context.URLS], media))


async def change_media(request: web.Request) -> web.Response:
    auth = await require_scopes(request, *SCOPES)
    params = await read_params(request, include_query=False)
    description, focus = params.get("description"), params.get("focus")
    for name, value in (("description", description), ("focus", focus)):
        if value is not None and not isinstance(value, str):
            raise ValidationError(f"{name} must be text")
    async with request.app[context.SESSIONMAKER]() as session:
        media = await update_media(session, auth.account, request.match_info["id"],
                                   description=description, focus=focus)
        await session.commit()
    return web.json_response(media_to_entity(request.app[context.URLS], media))
