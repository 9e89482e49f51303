"""Content negotiation between ActivityPub JSON and HTML for the same URL."""

import json

from aiohttp import web

from activitypub.context import AS2_MEDIA_TYPE, is_as2_media_type


def wants_activity_json(request: web.Request) -> bool:
    """True unless the client prefers HTML: peers send an AS2 Accept, browsers send text/html.

    A request with no Accept header at all (curl, scripts) gets JSON.
    """
    accept = request.headers.get("Accept", "")
    entries = [entry.strip() for entry in accept.split(",") if entry.strip()]
    if any(is_as2_media_type(entry) for entry in entries):
        return True
    if any(entry.split(";")[0].strip() in ("application/json",) for entry in entries):
        return True
    return not any(entry.split(";")[0].strip() in ("text/html", "application/xhtml+xml") for entry in entries)


def activity_response(document: dict, status: int = 200) -> web.Response:
    """Serve a document as `application/activity+json`, the type every peer accepts."""
    return web.Response(
        body=json.dumps(document, ensure_ascii=False).encode(),
        status=status,
        content_type=AS2_MEDIA_TYPE,
        charset="utf-8",
        headers={"Vary": "Accept"},
    )
