"""Reading the page cursor (`?max_id=`) of the web pages' grids."""

from aiohttp import web

from ..errors import ValidationError

PAGE_SIZE = 24
MAX_ID = 2**63 - 1


def max_id_of(request: web.Request) -> int | None:
    """The id a page starts below; a cursor that is not a 64-bit id is a clear 400."""
    text = request.query.get("max_id")
    if text in (None, ""):
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
        raise ValidationError("max_id must be a post id (a whole number)", status=400)
    return int(text)


def next_page(request: web.Request, posts: list, size: int = PAGE_SIZE) -> str | None:
    """The link to the next (older) page when this one is full: below its last post."""
    if len(posts) < size:
        return None
    return f"{request.path}?max_id={posts[size - 1].id}"
