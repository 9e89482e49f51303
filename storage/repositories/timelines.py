"""The selects behind the client API's lists of posts: home, public, hashtag, favourites and
bookmarks (a list's timeline is in lists.py). Each function answers a select of (paging key, Post) and the key column, so the
caller adds the cursor conditions, the order and the limit of one page."""

import json

from sqlalchemy import Text, cast, exists, or_, select

from ..models import Bookmark, Favourite, HomeFeedEntry, MediaAttachment, Post
from .lists import in_exclusive_list


def home_query(account_id: int):
    """The account's home feed, filled on write (fan-out), keyed by post id."""
    query = (select(HomeFeedEntry.post_id, Post).join(Post, Post.id == HomeFeedEntry.post_id)
             .where(HomeFeedEntry.account_id == account_id, ~in_exclusive_list(account_id, Post.account_id)))
    return query, HomeFeedEntry.post_id


def public_query(*, local: bool | None = None, only_media: bool = False, tag: str | None = None):
    """Public posts (no boosts, no replies to others, as Mastodon's public feed); `local`
    True for this node only, False for other servers only."""
    query = select(Post.id, Post).where(
        Post.visibility == "public", Post.reblog_of_id.is_(None),
        or_(Post.in_reply_to_id.is_(None), Post.in_reply_to_account_id == Post.account_id),
    )
    if local is not None:
        query = query.where(Post.local.is_(local))
    if only_media:
        query = query.where(exists().where(MediaAttachment.post_id == Post.id))
    if tag is not None:
        query = query.where(_has_tag(tag))
    return query, Post.id


def _has_tag(tag: str):
    """`posts.tags` is a JSON list of lowercased names; match the JSON-encoded name as text,
    which reads the same on SQLite and PostgreSQL (json.dumps is what stored it)."""
    needle = json.dumps(tag.lower())
    for char in "!%_":
        needle = needle.replace(char, "!" + char)
    return cast(Post.tags, Text).like(f"%{needle}%", escape="!")


def favourites_query(account_id: int):
    query = (select(Favourite.id, Post).join(Post, Post.id == Favourite.post_id)
             .where(Favourite.account_id == account_id))
    return query, Favourite.id


def bookmarks_query(account_id: int):
    query = (select(Bookmark.id, Post).join(Post, Post.id == Bookmark.post_id)
             .where(Bookmark.account_id == account_id))
    return query, Bookmark.id
