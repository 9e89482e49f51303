"""Route registration that also accepts a trailing slash (clients send `/api/v2/instance/`)."""

from aiohttp import web


def add_routes(app: web.Application, routes: list[tuple[str, str, object]]) -> None:
    """Register (method, path, handler) triples under both `/path` and `/path/`."""
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
        if path != "/" and not path.endswith("/"):
            app.router.add_route(method, path + "/", handler)
