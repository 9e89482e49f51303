"""Post pages: `/@name/{id}` for a local post and `/@name@domain/{id}` for a remote post this
node knows, with the full images and their alt text, the prompt and style, the counts, and
the lineage: the post it remixes and the remixes of it. `/users/{name}/statuses/{id}` shows
the same page to browsers (node/federation/objects.py)."""

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, Post
from storage.repositories import galleries
from storage.repositories import posts as post_repo

from .. import context
from ..actions.common import parse_key
from ..actions.quotes import may_quote
from ..actions.visibility import check_visible, visible_posts
from ..federation.negotiation import wants_activity_json
from ..routing import add_routes
from .cards import Card, cards_for
from .profiles import account_of_handle
from .rendering import Preview, page
from .viewer import current

GENERATION_LABELS = (("prompt", "Prompt"), ("style", "Style"), ("generator", "Generator"), ("model", "Model"),
                     ("seed", "Seed"), ("size", "Size"))


def setup(app: web.Application) -> None:
    add_routes(app, [("GET", r"/@{username}/{post_id:\d+}", post_by_handle)])


async def post_by_handle(request: web.Request) -> web.Response:
    async with request.app[context.SESSIONMAKER]() as session:
        author = await account_of_handle(session, request.match_info["username"])
        key = parse_key(request.match_info["post_id"])
        post = await post_repo.get_post_by_id(session, key) if key is not None else None
        if post is None or post.account_id != author.id or post.reblog_of_id is not None:
            raise NotFound("post not found")
    if wants_activity_json(request):
        if post.local and post.visibility in ("public", "unlisted"):
            # A peer that followed a post's `url` is sent to its id, where the id equals the URL.
            raise web.HTTPFound(post.object_uri)
        raise NotFound("post not found")
    return await post_page(request, post)


def generation_rows(post: Post) -> list[tuple[str, str]]:
    record = post.generation if isinstance(post.generation, dict) else {}
    return [(label, str(record[key])) for key, label in GENERATION_LABELS
            if isinstance(record.get(key), (str, int)) and str(record[key])]


async def _lineage(session: AsyncSession, request: web.Request, viewer: Account | None, post: Post):
    """The card of the post this one remixes (or its IRI when this node does not have it or
    may not show it), and the cards of its remixes the viewer may see."""
    source, source_uri = None, post.quote_of_uri
    if post.quote_of_id is not None:
        quoted = await post_repo.get_post_by_id(session, post.quote_of_id)
        if quoted is not None and await visible_posts(session, viewer, [quoted]):
            source = (await cards_for(session, request.app[context.URLS], [quoted]) or [None])[0]
    remixes = await visible_posts(session, viewer, await galleries.list_remixes(session, post.id))
    return source, source_uri, await cards_for(session, request.app[context.URLS], remixes)


async def post_page(request: web.Request, post: Post) -> web.Response:
    viewer = current(request)
    urls = request.app[context.URLS]
    async with request.app[context.SESSIONMAKER]() as session:
        await check_visible(session, viewer, post)
        card: Card = (await cards_for(session, urls, [post]))[0]
        source, source_uri, remixes = await _lineage(session, request, viewer, post)
        marks = await _viewer_marks(session, viewer, post)
        remixable = viewer is not None and await may_quote(session, post, viewer)
    settings = request.app[context.SETTINGS]
    name = card.author.display_name or card.author.username
    cover = card.cover
    description = card.prompt or (cover.alt if cover else "") or f"A post by {name}"
    preview = Preview(title=f"{name} on {settings.instance_title}", description=description,
                      url=settings.base_url + card.href, image=cover.src if cover else None,
                      image_alt=cover.alt if cover else "", kind="article")
    return await page(request, "post.html", {
        "card": card, "post": post, "name": name, "generation": generation_rows(post), "source": source,
        "source_uri": source_uri, "remixes": remixes, "marks": marks, "remixable": remixable,
        "handle": f"@{card.author.username}@{card.author.domain or settings.domain}",
    }, preview=preview)


async def _viewer_marks(session: AsyncSession, viewer: Account | None, post: Post) -> dict[str, bool]:
    if viewer is None:
        return {}
    liked = await post_repo.get_favourite(session, viewer.id, post.id) is not None
    boosted = await post_repo.get_boost(session, viewer.id, post.id) is not None
    return {"liked": liked, "boosted": boosted}
