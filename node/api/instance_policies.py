"""The instance's privacy policy and terms of service
(https://docs.joinmastodon.org/methods/instance/#privacy_policy, #terms_of_service), from
the files the admin names in MURALIST_PRIVACY_POLICY_FILE and MURALIST_TERMS_OF_SERVICE_FILE:
HTML when the file is named *.html, plain text otherwise (each blank-line-separated block a
paragraph). As on Mastodon, a node always has a privacy policy (a default one until the admin
writes one) and has terms of service only once the admin publishes them (404 before)."""

import logging
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from aiohttp import web

from storage.errors import NotFound

from .. import context
from ..routing import add_routes
from .entities import format_time

log = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024

DEFAULT_PRIVACY_POLICY = """<h1>Privacy Policy</h1>
<p>This server keeps what you give it to run your account: your email address and a hash of
your password, your profile, your posts and images, the prompts you generate images from, and
whom you follow. Public and unlisted posts, your profile and your follows are sent to the
servers of the people who follow or are mentioned by you, as ActivityPub requires; followers-only
and direct posts go only to the servers of their readers.</p>
<p>Deleting a post or your account deletes it here and asks the other servers to delete their
copies. This server's admin has not published a privacy policy of their own yet.</p>"""


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/api/v1/instance/privacy_policy", privacy_policy),
        ("GET", "/api/v1/instance/terms_of_service", terms_of_service),
    ])


def _read(path_text: str) -> tuple[str, datetime] | None:
    """(HTML, the file's modification time), or None when unset or unreadable (logged)."""
    if not path_text:
        return None
    path = Path(path_text)
    try:
        data = path.read_bytes()[:MAX_BYTES].decode("utf-8")
        updated = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return None
    if path.suffix.lower() in (".html", ".htm"):
        return data, updated
    blocks = [block.strip() for block in data.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return "".join(f"<p>{escape(block)}</p>" for block in blocks), updated


async def privacy_policy(request: web.Request) -> web.Response:
    found = _read(request.app[context.SETTINGS].privacy_policy_file)
    if found is None:
        found = DEFAULT_PRIVACY_POLICY, datetime(2026, 12, 1, tzinfo=timezone.utc)
    content, updated = found
    return web.json_response({"updated_at": format_time(updated), "content": content})


async def terms_of_service(request: web.Request) -> web.Response:
    found = _read(request.app[context.SETTINGS].terms_of_service_file)
    if found is None:
        raise NotFound("Record not found")
    content, updated = found
    return web.json_response({"effective_date": updated.date().isoformat(), "effective": True,
                              "content": content, "succeeded_by": None})
