"""A post's media and mention entities, kept between requests.

What a Status shows of its images and mentions changes only with the post itself: media and
mentions are written when a post is created and again only by an edit, and every edit (a
local one, or a remote Update, which is applied only when it is newer) sets `edited_at`. So
the rendered parts are kept per node and post, valid while the post's `created_at` and
`edited_at` are what they were when the parts were made; a page of statuses whose posts were
seen before skips both queries (bench/timeline.py). The cache is per process and bounded.
"""

from collections import OrderedDict
from datetime import datetime

SIZE = 20_000

Parts = tuple[tuple[dict, ...], tuple[dict, ...]]  # media attachments, mentions


class PartsCache:
    """A bounded, least-recently-used map of (node, post id) to its parts and their version."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._items: OrderedDict = OrderedDict()

    @staticmethod
    def _version(post) -> tuple[datetime | None, datetime | None]:
        return post.created_at, post.edited_at

    def get(self, base: str, post) -> Parts | None:
        key = (base, post.id)
        item = self._items.get(key)
        if item is None or item[0] != self._version(post):
            return None
        self._items.move_to_end(key)
        return item[1]

    def put(self, base: str, post, parts: Parts) -> None:
        key = (base, post.id)
        self._items[key] = (self._version(post), parts)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


PARTS = PartsCache()
