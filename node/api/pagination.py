"""Paging of the client API's lists: `max_id`, `since_id`, `min_id`, `limit` and the `Link` header.

Mastodon's rules, which clients depend on: `max_id` pages down (older than), `since_id` keeps
the newest items above a cursor, and `min_id` takes the *ascending* slice just above the cursor
(what "load newer" needs so no item is skipped) and still answers it newest first. `limit`
defaults to 20 and is clamped to the maximum rather than refused. `Link` carries absolute URLs
on the node's public host (`rel="next"` pages older, `rel="prev"` newer); CORS exposes it.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

import orjson
from aiohttp import web

from ..errors import ValidationError
from ..urls import Urls
from .body import Params, query_params

DEFAULT_LIMIT = 20
MAX_LIMIT = 40
CURSORS = ("max_id", "since_id", "min_id")


@dataclass(frozen=True)
class Page:
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None
    limit: int = DEFAULT_LIMIT

    @property
    def ascending(self) -> bool:
        """`min_id` pages are read oldest first from the cursor, then reversed."""
        return self.min_id is not None

    def where(self, column) -> list:
        """Conditions on the id column the list is ordered by."""
        conditions = []
        if self.max_id is not None:
            conditions.append(column < self.max_id)
        if self.since_id is not None:
            conditions.append(column > self.since_id)
        if self.min_id is not None:
            conditions.append(column > self.min_id)
        return conditions

    def order(self, column):
        return column.asc() if self.ascending else column.desc()

    def apply(self, query, column):
        """Filter, order and limit a select by `column` (an id that grows with time)."""
        return query.where(*self.where(column)).order_by(self.order(column)).limit(self.limit)

    def newest_first(self, rows: list) -> list:
        return list(reversed(rows)) if self.ascending else list(rows)


def _limit(query: Params, default: int, maximum: int) -> int:
    # Mastodon reads `limit` with `to_i` and clamps it: a bad one falls back, never fails.
    try:
        limit = query.integer("limit", default)
    except ValidationError:
        limit = default
    return max(1, min(limit, maximum))


def page_params(request: web.Request, *, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> Page:
    """The paging parameters of a request: a cursor that is no id is a 400; a bad or
    out-of-range limit falls back into range."""
    query = query_params(request)
    return Page(max_id=query.id("max_id"), since_id=query.id("since_id"), min_id=query.id("min_id"),
                limit=_limit(query, default, maximum))


def link_header(request: web.Request, urls: Urls, newest_id: int | None, oldest_id: int | None) -> dict:
    """`Link` for a page whose items (newest first) run from `newest_id` to `oldest_id`; none when empty."""
    if newest_id is None or oldest_id is None:
        return {}
    kept = [(key, value) for key, value in request.query.items() if key not in CURSORS]

    def url(cursor: str, value: int) -> str:
        return f"{urls.base}{request.path}?{urlencode(kept + [(cursor, str(value))])}"

    return {"Link": f'<{url("max_id", oldest_id)}>; rel="next", <{url("min_id", newest_id)}>; rel="prev"'}


def paged_response(request: web.Request, urls: Urls, entities: list, ids: list[int]) -> web.Response:
    """A JSON list with its `Link` header; `ids` are the paging keys of the page, newest first."""
    headers = link_header(request, urls, ids[0] if ids else None, ids[-1] if ids else None)
    return web.Response(body=orjson.dumps(entities), headers=headers, content_type="application/json")
