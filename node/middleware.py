"""Middlewares: the single place where errors of every package become HTTP answers, request
rate limits, and CORS."""

import logging

from aiohttp import web

from activitypub.errors import FederationError, SignatureError, UnsupportedSignature
from generation.errors import BackendUnavailable, InvalidGenerationRequest, PromptRefused
from storage.errors import Conflict, MediaError, NotFound

from .errors import Forbidden, NotAuthorized, RateLimited, ValidationError
from .rate_limits import RATE_LIMITS

log = logging.getLogger(__name__)

# Exception type -> HTTP status, most specific first.
ERROR_STATUS: list[tuple[type[Exception], int]] = [
    (NotFound, 404),
    (Conflict, 409),
    (MediaError, 422),
    (UnsupportedSignature, 401),
    (SignatureError, 401),
    (FederationError, 400),
    (NotAuthorized, 401),
    (Forbidden, 403),
    (RateLimited, 429),
    (InvalidGenerationRequest, 422),
    (PromptRefused, 422),  # the generation policy's refusal, which says why
    (BackendUnavailable, 503),  # the moderation service is down: try again later
]


def json_error(status: int, message: str, headers: dict | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


def status_for(exc: Exception) -> int | None:
    if isinstance(exc, ValidationError):
        return exc.status
    for kind, status in ERROR_STATUS:
        if isinstance(exc, kind):
            return status
    return None


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.empty_body or exc.status < 400 or exc.content_type == "application/json":
            raise
        # Clients parse errors as JSON everywhere, unknown paths included.
        message = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else exc.reason
        return json_error(exc.status, message, headers=_kept_headers(exc))
    except Exception as exc:  # noqa: BLE001 - this is the one place errors become answers
        status = status_for(exc)
        if status is None:
            log.exception("unhandled error on %s %s", request.method, request.path)
            return json_error(500, "internal server error")
        return error_response(exc, status)


def error_response(exc: Exception, status: int, headers: dict | None = None) -> web.Response:
    """A typed error's answer: `{"error": message}` with the headers its kind calls for."""
    return json_error(status, str(exc) or exc.__class__.__name__, headers={**_error_headers(exc), **(headers or {})})


def _error_headers(exc: Exception) -> dict:
    # RFC 9110 §10.2.3: a 429 says when to come back; clients back off on it.
    if isinstance(exc, RateLimited):
        return {"Retry-After": str(exc.retry_after)}
    return {}


@web.middleware
async def rate_limit_middleware(request: web.Request, handler):
    """Client-API calls and inbox POSTs against their limits (node/rate_limits.py); sign-ins and
    sign-ups are counted where they are judged. It sits outside error_middleware, so every API
    answer, errors included, carries Mastodon's X-RateLimit-* headers."""
    verdict = request.app[RATE_LIMITS].count_request(request)
    if verdict is None:
        return await handler(request)
    if not verdict.allowed:
        return error_response(verdict.error(), 429, verdict.headers())
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # the answers error_middleware lets through (redirects, JSON errors)
        if verdict.advertised:
            exc.headers.update(verdict.headers())
        raise
    # A WebSocket or streamed answer has sent its headers already.
    if verdict.advertised and not response.prepared:
        response.headers.update(verdict.headers())
    return response


def _kept_headers(exc: web.HTTPException) -> dict:
    return {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "retry-after", "location", "www-authenticate")}


@web.middleware
async def cors_middleware(request: web.Request, handler):
    """Browser clients (Elk, Phanpy) call the API cross-origin and read `Link` for paging."""
    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
        response = web.Response(status=204)
    else:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            _add_cors(exc)
            raise
    _add_cors(response)
    return response


def _add_cors(response) -> None:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Idempotency-Key, Accept"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    # Retry-After is not among the response headers a browser shows a cross-origin app unasked.
    response.headers["Access-Control-Expose-Headers"] = "Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, Retry-After, X-Request-Id, Idempotency-Key"
