"""The web interface: server-rendered pages for people in a browser (galleries, profiles, post
pages, about; signing in and up; creating, liking, boosting, remixing and following; the home
feed and notifications), registered here with their templates, sessions and HTML error pages."""

from pathlib import Path

from aiohttp import web

from ..routing import add_routes
from . import about, create, gallery, home, interactions, posts, profiles, sign_in
from .errors import html_errors
from .plain import render
from .posts import post_page
from .profiles import profile_page
from .rendering import setup_templates
from .sessions import session_middleware

__all__ = ["post_page", "profile_page", "render", "setup"]

STATIC_DIR = Path(__file__).parent.parent / "static"


def setup(app: web.Application) -> None:
    setup_templates(app)
    for surface in (gallery, profiles, posts, about, sign_in, create, interactions, home):
        surface.setup(app)
    add_routes(app, [("GET", "/favicon.ico", favicon)])
    # Inside error_middleware: the viewer is known before any page runs, error pages included.
    app.middlewares.append(session_middleware)
    app.middlewares.append(html_errors)


async def favicon(request: web.Request) -> web.FileResponse:
    """Browsers ask for /favicon.ico on their own, whatever the page links."""
    return web.FileResponse(STATIC_DIR / "favicon.ico", headers={"Cache-Control": "public, max-age=86400"})
