"""The public grids: `/` (this node's images, newest first, paged), `/explore` (images ranked
by recent likes, boosts and remixes with time decay) and `/tags/{tag}` (images with a tag)."""

import math
from datetime import timedelta

from aiohttp import web

from storage.repositories import galleries
from storage.repositories.accounts import storable
from storage.repositories import posts as post_repo
from storage.states import Visibility
from storage.types import utcnow

from .. import context
from ..routing import add_routes
from .cards import cards_for
from .paging import PAGE_SIZE, max_id_of, next_page
from .rendering import Preview, page

EXPLORE_WINDOW = timedelta(days=14)
EXPLORE_HALF_LIFE_HOURS = 24.0
EXPLORE_SIZE = 48
# How much one reaction of each kind counts: a remix is work, a boost shares, a like is a nod.
WEIGHTS = {"likes": 1.0, "boosts": 2.0, "remixes": 3.0}
REACTIONS_READ = 5000  # newest of each kind read per ranking: bounds the work on a busy node
MAX_TAG = 100


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/", front_page),
        ("GET", "/explore", explore),
        ("GET", "/tags/{tag}", tag_page),
    ])


def _preview(request: web.Request, title: str, description: str, cards) -> Preview:
    settings = request.app[context.SETTINGS]
    cover = next((card.cover for card in cards if card.cover is not None), None)
    return Preview(title=title, description=description, url=settings.base_url + request.path_qs,
                   image=cover.src if cover else None, image_alt=cover.alt if cover else "")


async def _grid_page(request: web.Request, *, title: str, intro: str, empty: str, **filters) -> web.Response:
    max_id = max_id_of(request)
    async with request.app[context.SESSIONMAKER]() as session:
        posts = await galleries.list_gallery_posts(session, max_id=max_id, limit=PAGE_SIZE, **filters)
        cards = await cards_for(session, request.app[context.URLS], posts)
    return await page(request, "gallery.html", {
        "title": title, "intro": intro, "empty": empty, "cards": cards, "next_page": next_page(request, posts),
        "older": max_id is not None,
    }, preview=_preview(request, title, intro, cards))


async def front_page(request: web.Request) -> web.Response:
    settings = request.app[context.SETTINGS]
    return await _grid_page(request, title=settings.instance_title, intro=settings.instance_description,
                            empty="No images here yet.", local=True)


async def tag_page(request: web.Request) -> web.Response:
    tag = request.match_info["tag"].strip().lstrip("#")
    if not tag or len(tag) > MAX_TAG or not storable(tag):
        return await page(request, "error.html", {"status": 404, "message": "no such tag"}, status=404)
    return await _grid_page(request, title=f"#{tag}", intro=f"Images tagged #{tag} that {request.app[context.SETTINGS].domain} knows.",
                            empty=f"No images tagged #{tag} yet.", tag=tag.lower())


def rank(reactions: dict[str, list], now) -> list[int]:
    """Post ids by score, highest first: each reaction counts its kind's weight, halved for
    every EXPLORE_HALF_LIFE_HOURS of age (Hacker-News-style gravity, but exponential so that
    a burst last week cannot outrank a steady stream today)."""
    scores: dict[int, float] = {}
    for kind, rows in reactions.items():
        for post_id, when in rows:
            hours = max(0.0, (now - when).total_seconds() / 3600)
            scores[post_id] = scores.get(post_id, 0.0) + WEIGHTS[kind] * math.pow(0.5, hours / EXPLORE_HALF_LIFE_HOURS)
    return sorted(scores, key=lambda post_id: (-scores[post_id], -post_id))


async def explore(request: web.Request) -> web.Response:
    now = utcnow()
    async with request.app[context.SESSIONMAKER]() as session:
        reactions = await galleries.list_recent_reactions(session, now - EXPLORE_WINDOW, REACTIONS_READ)
        ranked = rank(reactions, now)
        found = await post_repo.get_posts_by_ids(session, ranked[:EXPLORE_SIZE * 2])
        posts = [found[post_id] for post_id in ranked if post_id in found
                 and found[post_id].visibility == Visibility.PUBLIC and found[post_id].reblog_of_id is None]
        cards = [card for card in await cards_for(session, request.app[context.URLS], posts) if card.images]
    title = "Explore"
    intro = "Images people liked, boosted and remixed lately, newest reactions counting most."
    return await page(request, "gallery.html", {
        "title": title, "intro": intro, "empty": "Nothing has been liked, boosted or remixed lately.",
        "cards": cards[:EXPLORE_SIZE], "next_page": None, "older": False,
    }, preview=_preview(request, title, intro, cards))
