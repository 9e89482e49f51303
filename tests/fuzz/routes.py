"""The routes the fuzz suite drives, read from the node's own router, so a route added to the
node is fuzzed without anyone listing it here.

Each route comes with the field names its handler's module spells out (every identifier-like
string literal in that module: `params.string("spoiler_text")`, `query.get("resource")`), so
random bodies and query strings mostly use names the handler reads instead of names it ignores.
"""

import inspect
import re
import sys
from dataclasses import dataclass
from functools import cache

from node.app import create_app
from node.settings import Settings

# The field names of many endpoints (paging, the token), offered to every route as well.
COMMON_FIELDS = (
    "limit", "max_id", "min_id", "since_id", "offset", "id", "ids", "access_token", "q", "type", "local",
    "page", "resource", "rel", "scope", "scopes", "state",
)
_LITERAL = re.compile(r"""["']([a-z][a-z0-9_]{1,40})["']""")
_READ = re.compile(r"""\.\w+\(\s*["']([a-z][a-z0-9_]{1,40})["']""")  # params.string("status"), query.get("q")
_PARAM = re.compile(r"\{([^}:]+)")


@dataclass(frozen=True)
class Route:
    method: str  # "*" for the catch-all
    path: str  # the formatter without a trailing slash: "/api/v1/statuses/{id}"
    pattern: str | None  # the resource's regex, None for a plain path
    module: str  # the handler's module, for the field names and the report
    static: bool = False

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(_PARAM.findall(self.path))

    def matches(self, path: str) -> bool:
        """Whether a concrete path (without query) is this route's, so a filled-in value is valid."""
        if self.pattern is None:
            return path.rstrip("/") == self.path.rstrip("/") or path == self.path
        return re.fullmatch(self.pattern, path) is not None or re.fullmatch(self.pattern, path.rstrip("/")) is not None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _route_of(route) -> Route | None:
    resource = route.resource
    if resource is None:
        return None
    info = resource.get_info()
    if "prefix" in info:  # a static directory
        return Route(route.method, info["prefix"] + "/{filename}", None, "aiohttp.web_urldispatcher", static=True)
    path = info.get("path") or info.get("formatter")
    pattern = info["pattern"].pattern if "pattern" in info else None
    if path != "/" and path.endswith("/"):
        path = path[:-1]
        if pattern is not None:
            pattern = pattern.removesuffix("/") if pattern.endswith("/") else pattern
    module = getattr(route.handler, "__module__", "") or ""
    return Route(route.method, path, pattern, module)


@cache
def all_routes() -> tuple[Route, ...]:
    """Every (method, path) the node serves, trailing-slash twins folded into one; HEAD of a
    static directory goes with its GET. Ordered so routes that delete rows run last."""
    app = create_app(Settings(domain="fuzz.invalid", database_url="sqlite+aiosqlite:///:memory:"))
    found: dict[tuple[str, str], Route] = {}
    for route in app.router.routes():
        item = _route_of(route)
        if item is None or (item.static and item.method == "HEAD"):
            continue
        found.setdefault((item.method, item.path), item)
    def order(r: Route):
        return r.method == "DELETE" or r.path.endswith("/clear"), r.path == "/{tail}", r.path, r.method

    return tuple(sorted(found.values(), key=order))


@cache
def field_names(module: str) -> tuple[str, ...]:
    """The identifier-like string literals of a handler's module, then the common names; the
    names the module reads with a call (`params.string("status")`) come three times, so they
    are drawn more often."""
    names: list[str] = []
    read: list[str] = []
    source_module = sys.modules.get(module)
    if source_module is not None:
        try:
            source = inspect.getsource(source_module)
        except (OSError, TypeError):
            source = ""
        names = sorted(set(_LITERAL.findall(source)))
        read = sorted(set(_READ.findall(source)))
    return tuple(read) * 2 + tuple(names) + tuple(name for name in COMMON_FIELDS if name not in names)


# Which fuzz module drives which routes; everything that is not OAuth, discovery or an inbox is
# the client API's (tests/fuzz/test_fuzz_api.py), new routes included.
OAUTH_PREFIXES = ("/oauth/", "/api/v1/apps", "/.well-known/oauth-authorization-server")
DISCOVERY_PREFIXES = ("/.well-known/", "/nodeinfo/", "/users/", "/actor", "/@", "/media/", "/static/", "/{tail}")


def group_of(route: Route) -> str:
    if route.method == "POST" and route.path.endswith("/inbox"):
        return "inbox"
    if route.path.startswith(OAUTH_PREFIXES):
        return "oauth"
    if route.path == "/" or route.path.startswith(DISCOVERY_PREFIXES):
        return "discovery"
    return "api"


def routes_of(group: str) -> list[Route]:
    return [route for route in all_routes() if group_of(route) == group]
