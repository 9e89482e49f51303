"""The Status entity (https://docs.joinmastodon.org/entities/Status/) for pages of posts.

`render_statuses` is the one way every surface (statuses, timelines, notifications, account
statuses, search, streaming) turns posts into Status entities. It loads what a page needs in
a fixed number of batched queries: the boosted originals, the authors and their counters,
media, mentions, the viewer's favourites, bookmarks and boosts, and what quotes quote
(node/api/quote_entity.py). What does not depend on the viewer — each post's own keys and
each author's Account — is kept between pages, checked against the row read for this page
(node/api/status_parts.py), so a page of posts seen before costs its reads and little else. A boost is its own status with an empty body and the boosted
post nested under `reblog`, as Mastodon answers it; a quote nests the quoted status under
`quote`, one level deep.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, Post
from storage.repositories import pins as pin_repo
from storage.repositories import posts as post_repo
from storage.repositories import statuses as status_repo

from ..urls import Urls
from .entities import account_to_entity, format_id, format_time
from .media_entity import media_to_entity
from .poll_entity import PollLinks
from .quote_entity import QuoteLinks
from .status_filters import filter_statuses
from .status_parts import AUTHORS, BODIES, PARTS, Parts, body_version, parts_version

NO_MARKS = {"favourited": set(), "bookmarked": set(), "reblogged": set()}


class _Page:
    """Everything loaded for one page of posts, keyed by id. Posts may be ORM objects or plain
    rows with the same attribute names (storage.repositories.timelines)."""

    def __init__(self, urls: Urls, viewer: Account | None) -> None:
        self.urls, self.viewer = urls, viewer
        self.originals: dict[int, Post] = {}
        self.accounts: dict[int, dict] = {}
        self.bodies: dict[int, dict] = {}
        self.marks = NO_MARKS
        self.quotes = QuoteLinks(viewer)
        self.polls = PollLinks(viewer)
        self.pinned: set[int] = set()

    async def load(self, session: AsyncSession, posts: list[Post]) -> None:
        known = {post.id: post for post in posts}
        wanted = [post.reblog_of_id for post in posts if post.reblog_of_id is not None]
        loaded = await status_repo.get_post_rows(session, [i for i in wanted if i not in known])
        self.originals = {i: known.get(i) or loaded.get(i) for i in wanted if (known.get(i) or loaded.get(i))}
        bodies = [post for post in posts if post.reblog_of_id is None] + list(self.originals.values())
        bodies += [post for post in await self.quotes.load(session, bodies) if post.id not in {b.id for b in bodies}]
        author_ids = {post.account_id for post in posts} | {post.account_id for post in bodies}
        await self._load_accounts(session, author_ids)
        await self._load_bodies(session, bodies)
        # Polls change with every vote and show the viewer's own: never part of a cached body.
        await self.polls.load(session, [post.id for post in bodies])
        if self.viewer is not None:
            self.marks = await status_repo.get_viewer_marks(session, self.viewer.id, [post.id for post in bodies])
            self.pinned = await pin_repo.get_pinned_ids(
                session, self.viewer.id, [post.id for post in bodies if post.account_id == self.viewer.id])

    async def _load_accounts(self, session: AsyncSession, author_ids) -> None:
        base = self.urls.base
        for account_id, row in (await status_repo.get_author_rows(session, author_ids)).items():
            version = tuple(row)
            entity = AUTHORS.get((base, account_id), version)
            if entity is None:
                counts = {name: max(0, int(getattr(row, name) or 0)) for name in status_repo.STAT_NAMES}
                entity = account_to_entity(row, self.urls, counts)
                AUTHORS.put((base, account_id), version, entity)
            self.accounts[account_id] = entity

    async def _load_bodies(self, session: AsyncSession, bodies: list[Post]) -> None:
        """Each body's own keys, from the cache or rendered (media and mentions from their
        cache or two queries for the rest)."""
        base, unrendered = self.urls.base, []
        for post in bodies:
            body = BODIES.get((base, post.id), body_version(post))
            if body is None:
                unrendered.append(post)
            else:
                self.bodies[post.id] = body
        if not unrendered:
            return
        parts = await self._load_parts(session, unrendered)
        for post in unrendered:
            body = self._render_body(post, parts[post.id])
            BODIES.put((base, post.id), body_version(post), body)
            self.bodies[post.id] = body

    async def _load_parts(self, session: AsyncSession, posts: list[Post]) -> dict[int, Parts]:
        base, found, missing = self.urls.base, {}, []
        for post in posts:
            parts = PARTS.get((base, post.id), parts_version(post))
            if parts is None:
                missing.append(post)
            else:
                found[post.id] = parts
        if missing:
            ids = [post.id for post in missing]
            media = await post_repo.list_media(session, ids)
            mentions = await post_repo.list_mentioned_accounts(session, ids)
            for post in missing:
                parts = (tuple(media_to_entity(self.urls, item) for item in media.get(post.id, [])),
                         tuple(_mention(account) for account in mentions.get(post.id, [])))
                PARTS.put((base, post.id), parts_version(post), parts)
                found[post.id] = parts
        return found

    def _render_body(self, post: Post, parts: Parts) -> dict:
        """The keys of a post's Status that do not depend on the viewer, its author or quotes."""
        media, mentions = parts
        return {
            "id": format_id(post.id),
            "created_at": format_time(post.created_at),
            "edited_at": format_time(post.edited_at),
            "visibility": post.visibility,
            "uri": post.object_uri,
            "url": post.url or post.object_uri,
            "in_reply_to_id": format_id(post.in_reply_to_id),
            "in_reply_to_account_id": format_id(post.in_reply_to_account_id),
            "sensitive": bool(post.sensitive),
            "spoiler_text": post.spoiler_text or "",
            "language": post.language,
            "replies_count": post.replies_count or 0,
            "reblogs_count": post.reblogs_count or 0,
            "favourites_count": post.favourites_count or 0,
            "quotes_count": post.quotes_count or 0,
            "content": post.content or "",
            "reblog": None,
            "application": None,
            "emojis": [],
            "card": None,
            "poll": None,
            "filtered": [],
            "media_attachments": list(media),
            "mentions": list(mentions),
            "tags": [{"name": name, "url": self.urls.tag(name)} for name in post.tags or [] if isinstance(name, str)],
            "generation": generation_entity(post.generation),
        }

    def entity(self, post: Post) -> dict | None:
        account = self.accounts.get(post.account_id)
        if account is None:
            return None
        if post.reblog_of_id is None:
            return self._body(post, account)
        original = self.originals.get(post.reblog_of_id)
        nested = self.entity(original) if original is not None else None
        if nested is None:
            return None  # the boosted post is gone: the boost means nothing any more
        return self._boost(post, account, nested)

    def _viewer_flags(self, post_id: int, author_id: int) -> dict:
        if self.viewer is None:
            return {}
        flags = {name: post_id in ids for name, ids in self.marks.items()}
        flags["muted"] = False
        if author_id == self.viewer.id:
            flags["pinned"] = post_id in self.pinned
        return flags

    def _quoted(self, post: Post) -> dict | None:
        account = self.accounts.get(post.account_id)
        return self._body(post, account, shallow=True) if account is not None else None

    def _body(self, post: Post, account: dict, *, shallow: bool = False) -> dict | None:
        body = self.bodies.get(post.id)
        if body is None:
            return None
        if post.quote_of_uri:
            quote = self.quotes.shallow_quote(post) if shallow else self.quotes.quote(post, self._quoted)
        else:
            quote = None
        return {
            **body,
            "account": account,
            "quote": quote,
            "quote_approval": self.quotes.approval(post),
            "poll": self.polls.entity(post.id),
            **self._viewer_flags(post.id, post.account_id),
        }

    def _boost(self, post: Post, account: dict, nested: dict) -> dict:
        return {
            **_common(post, account),
            "in_reply_to_id": None,
            "in_reply_to_account_id": None,
            "sensitive": False,
            "spoiler_text": "",
            "language": None,
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "quotes_count": 0,
            "content": "",
            "reblog": nested,
            "quote": None,
            "quote_approval": {"automatic": [], "manual": [], "current_user": "denied"},
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "generation": None,
            # Clients read the viewer's marks off the wrapper too (Tusky, Elk); mirror the original's.
            **{name: nested[name] for name in ("favourited", "reblogged", "bookmarked", "muted") if name in nested},
        }


def _common(post: Post, account: dict) -> dict:
    return {
        "id": format_id(post.id),
        "created_at": format_time(post.created_at),
        "edited_at": format_time(post.edited_at),
        "visibility": post.visibility,
        "uri": post.object_uri,
        "url": post.url or post.object_uri,
        "application": None,
        "account": account,
        "emojis": [],
        "card": None,
        "poll": None,
        "filtered": [],
    }


def _mention(account: Account) -> dict:
    return {"id": format_id(account.id), "username": account.username, "acct": account.acct,
            "url": account.url or account.actor_uri}


async def render_statuses(session: AsyncSession, urls: Urls, viewer: Account | None, posts: list[Post], *,
                          filter_context: str | None = None) -> list[dict]:
    """Status entities for `posts`, in their order, as `viewer` (None: signed out) sees them.

    The caller decides which posts the viewer may see; a boost whose original is gone is left out.
    The viewer's filters set `filtered`, and leave out what they hide in `filter_context`
    (node/api/status_filters.py).
    """
    page = _Page(urls, viewer)
    await page.load(session, posts)
    entities = [entity for entity in (page.entity(post) for post in posts) if entity is not None]
    return await filter_statuses(session, viewer, entities, filter_context)


async def render_status(session: AsyncSession, urls: Urls, viewer: Account | None, post: Post) -> dict:
    entities = await render_statuses(session, urls, viewer, [post])
    if not entities:
        raise NotFound(f"post {post.id} not found")
    return entities[0]


async def render_accounts(session: AsyncSession, urls: Urls, accounts: list[Account]) -> list[dict]:
    """Account entities for a list of accounts (favourited_by, notifications), counters batched."""
    counts = await status_repo.count_account_stats(session, [account.id for account in accounts])
    return [account_to_entity(account, urls, counts[account.id]) for account in accounts]


def generation_entity(record) -> dict | None:
    """What made a generated image. The seed goes out as a string, as in the generations API:
    seeds reach 2**63 and JavaScript numbers keep only 53 bits exactly."""
    if not isinstance(record, dict):
        return None
    entity = dict(record)
    if isinstance(entity.get("seed"), int) and not isinstance(entity.get("seed"), bool):
        entity["seed"] = str(entity["seed"])
    return entity
