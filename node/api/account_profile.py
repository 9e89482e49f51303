"""Editing the signed-in user's profile: PATCH /api/v1/accounts/update_credentials.

See https://docs.joinmastodon.org/methods/accounts/#update_credentials. Text fields arrive
as a form, JSON or multipart body; `avatar` and `header` only as multipart files, which go
through the image pipeline (decode with limits, strip metadata, re-encode) before they are
stored. The profile change and the Update{Person} to followers are node/actions/profile.py's.
"""

import asyncio

from aiohttp import web

from storage.media import MediaStore, process_image
from storage.repositories import account_stats

from .. import actions, context
from ..routing import add_routes
from ..settings import Settings
from .auth import require_scopes
from .body import Params, read_params
from .entities import credential_account, render_account

MAX_IMAGE_BYTES = 8 * 1024 * 1024  # Mastodon allows 2 MB; generated art is often larger
IMAGE_FILES = {"avatar": MAX_IMAGE_BYTES, "header": MAX_IMAGE_BYTES}
FLAGS = ("locked", "bot", "discoverable")


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("PATCH", "/api/v1/accounts/update_credentials", update_credentials),
    ])


def _fields(params: Params) -> list[dict] | None:
    """`fields_attributes` as a form (`[0][name]`), a JSON object keyed by index, or a list."""
    items = params.mapping_list("fields_attributes")
    if items is None:
        return None
    return [{"name": item.string("name"), "value": item.string("value")} for item in items]


def _changes(params: Params) -> dict:
    """The profile fields the request sets (None: left as they are)."""
    changes = {"display_name": params.string("display_name"), "note": params.string("note"),
               "fields": _fields(params)}
    changes.update({name: params.boolean(name) for name in FLAGS})
    source = params.mapping("source")
    # Mastodon 4.5: the default quote policy of new posts is part of the posting source.
    changes["default_quote_policy"] = source.string("quote_policy") if source is not None else None
    return changes


def _store_image(settings: Settings, data: bytes) -> str:
    """Run the pipeline and store the result; the relative path of the cleaned original."""
    processed = process_image(data)
    return MediaStore(settings.media_dir).save(processed).original_path


async def _image_paths(settings: Settings, params: Params) -> dict[str, str]:
    """The stored images' paths by `avatar_path`/`header_path`; an empty file removes the image."""
    paths = {}
    for name in IMAGE_FILES:
        upload = params.file(name)
        if upload is not None:
            # Decoding and re-encoding are CPU work: keep them off the event loop.
            paths[f"{name}_path"] = await asyncio.to_thread(_store_image, settings, upload.data) if upload.data else ""
    return paths


async def update_credentials(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:accounts", session=session)
        params = await read_params(request, files=IMAGE_FILES)
        changes = _changes(params)
        # Images are checked (and a bad one refused) before anything is written.
        changes.update(await _image_paths(settings, params))
        account = await actions.update_profile(session, settings, auth.account, **changes)
        await session.commit()
        entity = await render_account(session, request.app[context.URLS], account)
        pending = await account_stats.count_follow_requests(session, account.id)
    return web.json_response(
        credential_account(entity, account, admin=auth.user.admin, follow_requests_count=pending,
                           quote_policy=auth.user.default_quote_policy)
    )
