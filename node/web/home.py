"""The signed-in person's own pages: the home feed (posts of the accounts she follows and her
own, boosts shown as the boosted post, with a follow-by-handle form) and her notifications."""

from dataclasses import dataclass

from aiohttp import web
from storage.models import Account, Notification
from storage.repositories import notifications as notification_repo
from storage.repositories import posts as post_repo
from storage.repositories import statuses as status_repo
from storage.repositories import timelines as timeline_repo

from .. import context
from ..actions.visibility import visible_posts
from ..routing import add_routes
from .cards import Card, cards_for, profile_href
from .paging import PAGE_SIZE, max_id_of, next_page
from .rendering import page
from .viewer import current, signed_in

NOTIFICATIONS_SHOWN = 40
# What each notification says, after the name of who did it.
NOTIFICATION_TEXT = {
    "favourite": "liked your post", "reblog": "boosted your post", "follow": "followed you",
    "follow_request": "asked to follow you", "mention": "mentioned you", "quote": "remixed your post",
    "quoted_update": "edited a post you remixed",
}


def setup(app: web.Application) -> None:
    add_routes(app, [
        ("GET", "/home", signed_in(home)),
        ("GET", "/notifications", signed_in(notifications)),
    ])


@dataclass
class FeedItem:
    card: Card
    boosted_by: Account | None


async def home(request: web.Request) -> web.Response:
    viewer = current(request)
    max_id = max_id_of(request)
    query, key = timeline_repo.home_query(viewer.id)
    if max_id is not None:
        query = query.where(key < max_id)
    async with request.app[context.SESSIONMAKER]() as session:
        rows = (await session.execute(query.order_by(key.desc()).limit(PAGE_SIZE))).all()
        entries = [post for _key, post in rows]
        originals = await post_repo.get_posts_by_ids(session, [p.reblog_of_id for p in entries if p.reblog_of_id])
        shown = {p.id for p in await visible_posts(session, viewer, [*entries, *originals.values()])}
        boosters = await status_repo.get_accounts_by_ids(session, [p.account_id for p in entries if p.reblog_of_id])
        wanted = [originals.get(p.reblog_of_id, p) if p.reblog_of_id else p for p in entries]
        cards = {card.post.id: card for card in await cards_for(session, request.app[context.URLS],
                                                                [p for p in wanted if p.id in shown])}
    items = [FeedItem(cards[post.id], boosters.get(entry.account_id) if entry.reblog_of_id else None)
             for entry, post in zip(entries, wanted) if post.id in cards and entry.id in shown]
    return await page(request, "home.html", {
        "items": items, "next_page": next_page(request, entries), "older": max_id is not None,
    }, headers={"Cache-Control": "no-store"})


async def notifications(request: web.Request) -> web.Response:
    viewer = current(request)
    query, key = notification_repo.notifications_query(viewer.id)
    async with request.app[context.SESSIONMAKER]() as session:
        rows: list[Notification] = [row for _key, row in
                                    (await session.execute(query.order_by(key.desc()).limit(NOTIFICATIONS_SHOWN))).all()]
        senders = await status_repo.get_accounts_by_ids(session, [row.from_account_id for row in rows])
        posts = await post_repo.get_posts_by_ids(session, [row.post_id for row in rows if row.post_id])
        visible = await visible_posts(session, viewer, list(posts.values()))
        cards = {card.post.id: card for card in await cards_for(session, request.app[context.URLS], visible)}
    items = [{"row": row, "sender": senders[row.from_account_id], "sender_href": profile_href(senders[row.from_account_id]),
              "text": NOTIFICATION_TEXT.get(row.type, row.type), "card": cards.get(row.post_id)}
             for row in rows if row.from_account_id in senders and (row.post_id is None or row.post_id in cards)]
    return await page(request, "notifications.html", {"items": items}, headers={"Cache-Control": "no-store"})
