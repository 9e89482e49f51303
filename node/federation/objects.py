"""Fetchable objects: a local post as a Note at its id URL (or an HTML page for browsers), the
Create or Announce at `/activity`, and media files. The post's HTML page at `/@{name}/{id}` is
node/web/posts.py.

Only public and unlisted posts are served here; a private or direct post answers 404, the same
as a post that never existed, so its existence is not revealed.
"""

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import MediaError, NotFound
from storage.media import MediaStore, check_relative_path, media_type_of
from storage.repositories.media_owners import media_withheld
from storage.models import Account, Post
from storage.repositories import accounts as account_repo
from storage.repositories import posts as post_repo
from storage.states import PUBLIC_VISIBILITIES

from .. import context
from ..actions.common import activities_of, load_note, parse_key
from ..routing import add_routes
from ..web.pages import post_page
from .negotiation import activity_response, wants_activity_json

# Media files never change once written (their names are their hashes): cache them for a year.
MEDIA_CACHE = "public, max-age=31536000, immutable"


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", r"/users/{username}/statuses/{post_id:\d+}", status),
        ("GET", r"/users/{username}/statuses/{post_id:\d+}/activity", status_activity),
        ("GET", "/media/{path:.+}", media_file),
    ])


async def _public_post(session: AsyncSession, request: web.Request) -> tuple[Account, Post]:
    """The author and the post a URL names, if the post is theirs, local and public or unlisted."""
    username = request.match_info["username"]
    author = await account_repo.get_local_person_by_username(session, username)
    key = parse_key(request.match_info["post_id"])
    post = await post_repo.get_post_by_id(session, key) if key is not None else None
    if (author is None or post is None or post.account_id != author.id or not post.local
            or post.visibility not in PUBLIC_VISIBILITIES):
        raise NotFound("post not found")
    return author, post


async def _note(request: web.Request) -> tuple[Account, dict]:
    async with request.app[context.SESSIONMAKER]() as session:
        author, post = await _public_post(session, request)
        if post.reblog_of_id is not None:
            raise NotFound("post not found")
        return author, await load_note(session, request.app[context.URLS], post, author)


async def status(request: web.Request) -> web.Response:
    if not wants_activity_json(request):
        async with request.app[context.SESSIONMAKER]() as session:
            _author, post = await _public_post(session, request)
        if post.reblog_of_id is not None:
            raise NotFound("post not found")
        return await post_page(request, post)
    _author, note = await _note(request)
    return activity_response(note)


async def status_activity(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        author, post = await _public_post(session, request)
        items = await activities_of(session, request.app[context.URLS], author, [post])
    if not items:
        raise NotFound("post not found")
    return activity_response(items[0])


# --- media files ---------------------------------------------------------------------------

async def media_file(request: web.Request) -> web.StreamResponse:
    """A stored image. Only paths of the store's own shape are served (no traversal)."""
    try:
        relative = check_relative_path(request.match_info["path"])
    except MediaError:
        raise NotFound("no such media file") from None
    path = MediaStore(request.app[context.SETTINGS].media_dir).path_for(relative)
    if not path.is_file():
        raise NotFound("no such media file")
    async with request.app[context.SESSIONMAKER]() as session:
        if await media_withheld(session, relative):
            raise NotFound("no such media file")
    return web.FileResponse(path, headers={
        "Content-Type": media_type_of(relative),
        "Cache-Control": MEDIA_CACHE,
        "X-Content-Type-Options": "nosniff",
    })
