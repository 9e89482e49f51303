"""What a page of statuses renders once and keeps between requests: each post's own part of
its Status entity, and each author's Account entity.

Rendering is the dearest part of a timeline page, and what it renders changes seldom: a post's
text, media, mentions and tags change only with the post itself, and every edit (a local one,
or a remote Update, which is applied only when it is newer) sets `edited_at`; its counters
change with likes, boosts, replies and quotes, which are columns of the post; an author's entity
is made of the author's columns, counters included (kept by the database, migration 0008). So
each rendered part is kept with the values it was made from — its version — and used only
while the row read for this page carries the same values. Nothing is invalidated by hand, and
a node's several processes can never serve each other's stale parts: the version is read
from the database on every page.

The caches are per process, bounded, least-recently-used, and keyed by node base URL and id.
A cached part is shared by every page that uses it: callers copy before changing anything
nested (top-level keys of a Status are always the caller's own).
"""

from collections import OrderedDict
from datetime import datetime

SIZE = 20_000

Parts = tuple[tuple[dict, ...], tuple[dict, ...]]  # media attachments, mentions


class VersionedCache:
    """A bounded, least-recently-used map of key to (version, value)."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._items: OrderedDict = OrderedDict()

    def get(self, key, version):
        item = self._items.get(key)
        if item is None or item[0] != version:
            return None
        self._items.move_to_end(key)
        return item[1]

    def put(self, key, version, value) -> None:
        self._items[key] = (version, value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


def parts_version(post) -> tuple[datetime | None, datetime | None]:
    """Media and mentions change only with an edit."""
    return post.created_at, post.edited_at


def body_version(post) -> tuple:
    """A post's own part of its Status: its text and parts (edits) and its counters."""
    return (post.created_at, post.edited_at, post.favourites_count, post.reblogs_count, post.replies_count,
            post.quotes_count, post.visibility)


PARTS = VersionedCache()    # (base, post id) -> media and mention entities
BODIES = VersionedCache()   # (base, post id) -> the viewer-independent keys of the Status
AUTHORS = VersionedCache()  # (base, account id) -> Account entity; version: the author row
