"""Images a local user adds: uploads through the client API and generated images, both run
through the storage media pipeline (sniffed type, decode under limits, metadata stripped by
re-encoding, preview, blurhash) and kept as unattached MediaAttachment rows of their owner
until a post claims them (node/actions/posts.py).

Like the other actions these write rows in the caller's session and never commit.
"""

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.media import MediaStore, Provenance, StoredMedia, parse_focus, process_image
from storage.models import Account, MediaAttachment

from ..errors import ValidationError
from ..settings import Settings
from .common import parse_key, require_local_person
from .posts import MAX_DESCRIPTION


def _checked_description(description: str | None) -> str:
    text = (description or "").strip()
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(f"the description is longer than {MAX_DESCRIPTION} characters")
    return text


def _store(settings: Settings, data: bytes, provenance: Provenance | None, focus) -> StoredMedia:
    processed = process_image(data, provenance=provenance, focus=focus)
    return MediaStore(settings.media_dir).save(processed)


async def store_image(settings: Settings, data: bytes, *, provenance: Provenance | None = None,
                      focus=None) -> StoredMedia:
    """Process and store one image off the event loop (decoding and encoding take 10-500 ms)."""
    return await asyncio.to_thread(_store, settings, data, provenance, focus)


def media_row(account: Account | int, stored: StoredMedia, *, description: str = "",
              generation: dict | None = None) -> MediaAttachment:
    account_id = account if isinstance(account, int) else account.id
    return MediaAttachment(
        account_id=account_id, media_type=stored.original_media_type, file_path=stored.original_path,
        preview_path=stored.preview_path, description=description, blurhash=stored.blurhash,
        width=stored.width, height=stored.height, focus_x=stored.focus[0], focus_y=stored.focus[1],
        sha256=stored.sha256, generation=generation,
    )


async def upload_media(session: AsyncSession, settings: Settings, account: Account, data: bytes, *,
                       description: str | None = None, focus: str | None = None) -> MediaAttachment:
    """A new unattached image of `account` from uploaded bytes (the type is sniffed, never trusted)."""
    require_local_person(account)
    text, point = _checked_description(description), parse_focus(focus)
    if not data:
        raise ValidationError("the file is empty")
    media = media_row(account, await store_image(settings, data, focus=point), description=text)
    session.add(media)
    await session.flush()
    return media


async def get_own_media(session: AsyncSession, account: Account, media_id) -> MediaAttachment:
    """One of the account's own images; anyone else's is "not found", revealing nothing."""
    key = parse_key(media_id)
    media = await session.get(MediaAttachment, key) if key is not None else None
    if media is None or media.account_id != account.id:
        raise NotFound(f"media {media_id} not found")
    return media


async def update_media(session: AsyncSession, account: Account, media_id, *, description: str | None = None,
                       focus: str | None = None) -> MediaAttachment:
    """Change the alt text or focal point of an unattached image (None leaves a field as it is).

    As on Mastodon, an image already in a post is edited through the post instead.
    """
    media = await get_own_media(session, account, media_id)
    if media.post_id is not None:
        raise ValidationError("this image is part of a post; edit the post to change it")
    if description is not None:
        media.description = _checked_description(description)
    if focus is not None:
        media.focus_x, media.focus_y = parse_focus(focus)
    await session.flush()
    return media
