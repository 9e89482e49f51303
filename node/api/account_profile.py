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
from ..errors import ValidationError
from ..federation.runtime import FEDERATION
from ..routing import add_routes
from ..settings import Settings
from .auth import require_scopes
from .body import MAX_BODY_BYTES, MAX_FIELDS, parse_pairs, read_params
from .entities import credential_account, render_account

IMAGE_FIELDS = ("avatar", "header")
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # Mastodon allows 2 MB; generated art is often larger
TRUE_VALUES = ("true", "1", "on", "yes", "t")
FALSE_VALUES = ("false", "0", "off", "no", "f", "")


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("PATCH", "/api/v1/accounts/update_credentials", update_credentials),
    ])


async def _read_body(request: web.Request) -> tuple[dict, dict[str, bytes]]:
    """(params, image files by field); only a multipart body can carry files."""
    if request.content_type != "multipart/form-data":
        return await read_params(request), {}
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError) as exc:
        raise ValidationError(f"the multipart body is malformed: {exc}", status=400) from exc
    pairs, files, text_size = [], {}, 0
    while (part := await reader.next()) is not None:
        if len(pairs) + len(files) >= MAX_FIELDS:
            raise ValidationError("too many fields", status=413)
        is_file = part.filename is not None or part.name in IMAGE_FIELDS
        limit = MAX_IMAGE_BYTES if is_file else MAX_BODY_BYTES - text_size
        data = await _read_part(part, limit)
        if part.name in IMAGE_FIELDS:
            files[part.name] = data
        elif is_file:
            raise ValidationError(f"unexpected file in field {part.name!r}")
        else:
            text_size += len(data)
            pairs.append((part.name or "", _decode(data)))
    params = parse_pairs(request.query.items())
    params.update(parse_pairs(pairs))
    return params, files


async def _read_part(part, limit: int) -> bytes:
    value = bytearray()
    while chunk := await part.read_chunk():
        value.extend(chunk)
        if len(value) > limit:
            raise ValidationError(f"the field {part.name!r} is too large", status=413)
    return bytes(value)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError("form fields must be UTF-8", status=400) from exc


def _flag(params: dict, name: str) -> bool | None:
    """A Rails boolean: absent is None; anything but a known true or false word is refused."""
    if name not in params:
        return None
    value = params[name]
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise ValidationError(f"{name} must be true or false")


def _text(params: dict, name: str) -> str | None:
    value = params.get(name)
    if value is None or isinstance(value, str):
        return value
    raise ValidationError(f"{name} must be a string")


def _fields(params: dict) -> list[dict] | None:
    """`fields_attributes` as a form (`[0][name]`), a JSON object keyed by index, or a list."""
    value = params.get("fields_attributes")
    if value is None:
        return None
    if isinstance(value, dict):
        try:
            keys = sorted(value, key=int)
        except ValueError as exc:
            raise ValidationError("fields_attributes keys must be numbers") from exc
        value = [value[key] for key in keys]
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValidationError("fields_attributes must be a list of {name, value}")
    return [{"name": item.get("name"), "value": item.get("value")} for item in value]


def _store_image(settings: Settings, data: bytes) -> str:
    """Run the pipeline and store the result; the relative path of the cleaned original."""
    processed = process_image(data)
    return MediaStore(settings.media_dir).save(processed).original_path


async def _image_paths(settings: Settings, files: dict[str, bytes]) -> dict[str, str]:
    # Decoding and re-encoding are CPU work: keep them off the event loop.
    paths = {}
    for name, data in files.items():
        paths[f"{name}_path"] = await asyncio.to_thread(_store_image, settings, data) if data else ""
    return paths


async def update_credentials(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    async with request.app[context.SESSIONMAKER]() as session:
        auth = await require_scopes(request, "write:accounts", session=session)
        params, files = await _read_body(request)
        changes = {
            "display_name": _text(params, "display_name"), "note": _text(params, "note"),
            "locked": _flag(params, "locked"), "bot": _flag(params, "bot"),
            "discoverable": _flag(params, "discoverable"), "fields": _fields(params),
        }
        # Images are checked (and a bad one refused) before anything is written.
        changes.update(await _image_paths(settings, files))
        account = await actions.update_profile(session, settings, auth.account, **changes)
        await session.commit()
        entity = await render_account(session, request.app[context.URLS], account)
        pending = await account_stats.count_follow_requests(session, account.id)
    request.app[FEDERATION].nudge()
    return web.json_response(
        credential_account(entity, account, admin=auth.user.admin, follow_requests_count=pending)
    )
