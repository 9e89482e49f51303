"""The application factory: settings, database, routes and middlewares of one node."""

import logging
from pathlib import Path

from aiohttp import web

from storage.db import create_engine, create_sessionmaker

from . import api, context
from .accounts import ensure_instance_actor
from .committed_changes import CommitListeners, watch_sessions
from .federation import actors, featured_tags, inbox, objects, quote_stamps, wellknown
from .federation.runtime import federation_ctx
from .middleware import cors_middleware, error_middleware, json_error, rate_limit_middleware
from .rate_limits import RATE_LIMITS, RateLimits
from .settings import Settings
from .urls import Urls
from .web import pages
from .workers import workers_ctx

STATIC_DIR = Path(__file__).parent / "static"
STATIC_FILES = frozenset(path.name for path in STATIC_DIR.iterdir() if path.is_file())
MAX_REQUEST_BYTES = 16 * 1024 * 1024

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(
        middlewares=[cors_middleware, rate_limit_middleware, error_middleware], client_max_size=MAX_REQUEST_BYTES
    )
    app[context.SETTINGS] = settings
    app[RATE_LIMITS] = RateLimits(settings)
    app[context.URLS] = Urls(settings)
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(federation_ctx)
    app.cleanup_ctx.append(workers_ctx)
    for surface in (wellknown, actors, featured_tags, objects, quote_stamps, inbox, pages, api):
        surface.setup(app)
    app.router.add_get("/static/{filename}", _static_file, name="static")
    app.router.add_route("*", "/{tail:.*}", _not_found)
    return app


async def _database(app: web.Application):
    """One engine per node for its lifetime; the instance actor exists before the first request.
    Every commit through the node's sessions is reported to `app[context.COMMITS]`."""
    engine = create_engine(app[context.SETTINGS].database_url)
    app[context.ENGINE] = engine
    app[context.SESSIONMAKER] = create_sessionmaker(engine)
    app[context.COMMITS] = CommitListeners()
    watch_sessions(app[context.SESSIONMAKER], app[context.COMMITS].local)
    async with app[context.SESSIONMAKER]() as session:
        await ensure_instance_actor(session, app[context.SETTINGS])
        await session.commit()
    yield
    await engine.dispose()


async def _static_file(request: web.Request) -> web.StreamResponse:
    """The node's own images (default avatar and header). Only names of files in STATIC_DIR are
    served, so no path, however long or odd, reaches the filesystem as given."""
    name = request.match_info["filename"]
    if name not in STATIC_FILES:
        return json_error(404, "Not found")
    return web.FileResponse(STATIC_DIR / name, headers={"Cache-Control": "public, max-age=86400"})


async def _not_found(request: web.Request) -> web.Response:
    return json_error(404, "Record not found" if request.path.startswith("/api/") else "Not found")
