"""The Mastodon-compatible client API and its OAuth 2.0 server, one module per surface.

`setup(app)` registers every route here; endpoints find the caller with `auth.require_scopes`.
"""

from aiohttp import web

from . import accounts, apps, authorize, instance, launch, markers, oauth

SURFACES = (oauth, authorize, apps, instance, launch, markers, accounts)


def setup(app: web.Application) -> None:
    for surface in SURFACES:
        surface.setup(app)
