"""The MediaAttachment entity (https://docs.joinmastodon.org/entities/MediaAttachment/).

Local files are served from the node's own host; a remote image keeps its remote URL, which
Mastodon also exposes as `remote_url`. `meta.focus` is what apps crop thumbnails around, and
`meta.original`/`meta.small` give them the aspect ratio before the image loads.
"""

from storage.models import MediaAttachment

from ..urls import Urls
from .entities import format_id


def _size(width: int | None, height: int | None) -> dict | None:
    if not width or not height:
        return None
    return {"width": width, "height": height, "size": f"{width}x{height}", "aspect": width / height}


def _preview_size(width: int | None, height: int | None, side: int = 640) -> tuple[int | None, int | None]:
    if not width or not height:
        return width, height
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def media_to_entity(urls: Urls, media: MediaAttachment) -> dict:
    url = urls.media(media.file_path) if media.file_path else media.remote_url
    preview = urls.media(media.preview_path) if media.preview_path else url
    meta: dict = {"focus": {"x": media.focus_x or 0.0, "y": media.focus_y or 0.0}}
    original = _size(media.width, media.height)
    if original is not None:
        meta["original"] = original
        small = _size(*_preview_size(media.width, media.height))
        if small is not None:
            meta["small"] = small
    return {
        "id": format_id(media.id),
        "type": "image" if (media.media_type or "").startswith("image/") else "unknown",
        "url": url,
        "preview_url": preview,
        "remote_url": None if media.file_path else media.remote_url,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": media.description or None,
        "blurhash": media.blurhash,
    }
