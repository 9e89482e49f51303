"""Rendering the web pages: the Jinja2 environment (through aiohttp-jinja2), the values every
page gets (the site, the signed-in viewer, the form token, the link preview), and the headers
every page is sent with."""

from dataclasses import dataclass
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from .. import context
from ..version import __version__
from . import viewer as viewer_state
from .filters import FILTERS

TEMPLATES = Path(__file__).parent / "templates"

# Pages load only their own stylesheet and script; images may come from any server the node
# knows (remote posts keep their image URLs), so img-src is wider. Inline style attributes carry
# each image's placeholder colour.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: http: data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass
class Preview:
    """What a shared link shows (OpenGraph and Twitter card): title, text, image, page URL."""

    title: str
    description: str
    url: str
    image: str | None = None
    image_alt: str = ""
    kind: str = "website"


def setup_templates(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(default=True),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(FILTERS)


async def page(request: web.Request, template: str, values: dict, *, preview: Preview | None = None,
               status: int = 200, headers: dict | None = None) -> web.Response:
    """The page `template` with `values` and what every page shows."""
    settings = request.app[context.SETTINGS]
    common = {
        "site": {"title": settings.instance_title, "description": settings.instance_description,
                 "domain": settings.domain, "base_url": settings.base_url, "version": __version__},
        "viewer": viewer_state.current(request),
        "csrf_token": viewer_state.form_token(request),
        "preview": preview or Preview(settings.instance_title, settings.instance_description,
                                      settings.base_url + request.path),
        "path": request.path,
    }
    response = aiohttp_jinja2.render_template(template, request, {**common, **values}, status=status)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Vary"] = "Accept, Cookie"
    if common["viewer"] is not None:
        # A page with someone's name and forms on it is theirs alone: no shared cache keeps it.
        response.headers.setdefault("Cache-Control", "private, no-cache")
    viewer_state.remember_form_token(request, response)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
