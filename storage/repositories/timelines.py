"""The selects behind the client API's lists of posts: home, public, hashtag, favourites and
bookmarks (a list's timeline is in lists.py). Each function answers a select and its paging key column, so the caller adds the
cursor conditions, the order and the limit of one page.

The selects answer plain rows, not ORM objects: the paging key as `page_key` and the columns
of `posts` that rendering reads (POST_COLUMNS), under their attribute names, so a row reads like a Post (`row.id`, `row.visibility`)
while costing a tuple instead of an identity-mapped object. Rendering a page only reads posts;
a caller that needs to change one loads it through the posts repository."""

import json

from sqlalchemy import Text, cast, exists, or_, select

from ..models import Bookmark, Favourite, HomeFeedEntry, MediaAttachment, Post
from .lists import in_exclusive_list


# Every column a Status shows or a visibility rule reads; the addressing lists and the source
# text are left out (JSON columns are decoded per row, and a page never reads these).
POST_COLUMNS = tuple(column for column in Post.__table__.c if column.key not in ("to_uris", "cc_uris", "source_text"))


def _page(key):
    return select(key.label("page_key"), *POST_COLUMNS)


def home_query(account_id: int):
    """The account's home feed, filled on write (fan-out), keyed by post id."""
    query = (_page(HomeFeedEntry.post_id).join(Post, Post.id == HomeFeedEntry.post_id)
             .where(HomeFeedEntry.account_id == account_id, ~in_exclusive_list(account_id, Post.account_id)))
    return query, HomeFeedEntry.post_id


def public_query(*, local: bool | None = None, only_media: bool = False, tag: str | None = None):
    """Public posts (no boosts, no replies to others, as Mastodon's public feed); `local`
    True for this node only, False for other servers only."""
    query = _page(Post.id).where(
        Post.visibility == "public", Post.reblog_of_id.is_(None),
        or_(Post.in_reply_to_id.is_(None), Post.in_reply_to_account_id == Post.account_id),
    )
    if local is not None:
        query = query.where(Post.local.is_(local))
    if only_media:
        query = query.where(exists().where(MediaAttachment.post_id == Post.id))
    if tag is not None:
        query = query.where(has_tag(tag))
    return query, Post.id


def has_tag(tag: str):
    """`posts.tags` is a JSON list of lowercased names; match the JSON-encoded name as text,
    which reads the same on SQLite and PostgreSQL (json.dumps is what stored it)."""
    needle = json.dumps(tag.lower())
    for char in "!%_":
        needle = needle.replace(char, "!" + char)
    return cast(Post.tags, Text).like(f"%{needle}%", escape="!")


def favourites_query(account_id: int):
    query = (_page(Favourite.id).join(Post, Post.id == Favourite.post_id)
             .where(Favourite.account_id == account_id))
    return query, Favourite.id


def bookmarks_query(account_id: int):
    query = (_page(Bookmark.id).join(Post, Post.id == Bookmark.post_id)
             .where(Bookmark.account_id == account_id))
    return query, Bookmark.id
