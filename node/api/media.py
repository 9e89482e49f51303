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
from .params import path_id

SCOPES = ("write:media",)
# `thumbnail` is a video's poster image; images have none, so it is read under the limit and dropped.
UPLOAD_FILES = {"file": DEFAULT_MAX_BYTES, "thumbnail": DEFAULT_MAX_BYTES}
MAX_TEXT_BYTES = 256 * 1024  # description and focus


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("POST", "/api/v1/media", create_media),
        ("POST", "/api/v2/media", create_media),
        ("GET", r"/api/v1/media/{id:\d+}", show_media),
        ("PUT", r"/api/v1/media/{id:\d+}", change_media),
    ])


async def create_media(request: web.Request) -> web.Response:
    auth = await require_scopes(request, *SCOPES)
    params = await read_params(request, include_query=False, files=UPLOAD_FILES, max_bytes=MAX_TEXT_BYTES)
    upload = params.file("file")
    if upload is None:
        raise ValidationError("the `file` field is missing: send the image as multipart/form-data")
    async with request.app[context.SESSIONMAKER]() as session:
        media = await upload_media(session, request.app[context.SETTINGS], auth.account, upload.data,
                                   description=params.string("description"), focus=params.string("focus"))
        await session.commit()
    return web.json_response(media_to_entity(request.app[context.URLS], media))


async def show_media(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, *SCOPES, session=session)
        media = await get_own_media(session, auth.account, path_id(request, what="media"))
    return web.json_response(media_to_entity(request.app[context.URLS], media))


async def change_media(request: web.Request) -> web.Response:
    auth = await require_scopes(request, *SCOPES)
    params = await read_params(request, include_query=False)
    async with request.app[context.SESSIONMAKER]() as session:
        media = await update_media(session, auth.account, path_id(request, what="media"),
                                   description=params.string("description"), focus=params.string("focus"))
        await session.commit()
    return web.json_response(media_to_entity(request.app[context.URLS], media))
