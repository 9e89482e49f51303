"""Errors as browsers see them: an HTML page with the status and the reason, for every request
that is not for the client API and does not ask for JSON or ActivityStreams (those keep the
JSON answers of node/middleware.py, the one place that maps error types to statuses)."""

from aiohttp import web

from ..errors import RateLimited
from ..federation.negotiation import wants_activity_json
from ..middleware import status_for
from .rendering import page

# Paths whose errors clients read as JSON whatever they accept.
JSON_PREFIXES = ("/api/", "/oauth/", "/.well-known/", "/nodeinfo/", "/inbox", "/media/", "/static/")


def wants_html(request: web.Request) -> bool:
    return not request.path.startswith(JSON_PREFIXES) and not wants_activity_json(request)


async def error_page(request: web.Request, status: int, message: str, headers: dict | None = None) -> web.Response:
    return await page(request, "error.html", {"status": status, "message": message}, status=status, headers=headers)


@web.middleware
async def html_errors(request: web.Request, handler):
    """Sits inside error_middleware: a typed 4xx error or the JSON 404 of an unknown path
    becomes a page for a browser; anything else passes through unchanged."""
    if not wants_html(request):
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status != 404:
            raise
        return await error_page(request, 404, "There is no page here.")
    except Exception as exc:
        status = status_for(exc)
        if status is None or not 400 <= status < 500:
            raise
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return await error_page(request, status, str(exc) or "That did not work.", headers)
    if response.status == 404 and response.content_type == "application/json":
        return await error_page(request, 404, "There is no page here.")
    return response
