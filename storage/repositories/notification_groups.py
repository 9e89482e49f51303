"""Grouped notifications (Mastodon 4.3): the group key of a notification, and the selects
of one group's notifications by that key.

A key is computed from the row, never stored: favourites and boosts of one post, and
follows, within the same 12-hour span share a key (Mastodon's Notification#set_group_key!,
MAXIMUM_GROUP_SPAN_HOURS = 12); any other notification is its own group, `ungrouped-{id}`.
"""

import re
from datetime import datetime, timezone

from sqlalchemy import select

from ..models import Notification

GROUPABLE = ("favourite", "reblog", "follow")
SPAN_SECONDS = 12 * 3600
_KEY = re.compile(r"\A(?:ungrouped-(?P<id>\d{1,19})|(?P<type>favourite|reblog)-(?P<post>\d{1,19})-(?P<b1>\d{1,12})"
                  r"|(?P<follow>follow)-(?P<b2>\d{1,12}))\Z")
MAX_KEY = (1 << 63) - 1


def group_key(row: Notification, grouped_types=GROUPABLE) -> str:
    if row.type not in grouped_types or row.type not in GROUPABLE:
        return f"ungrouped-{row.id}"
    bucket = int(row.created_at.timestamp()) // SPAN_SECONDS
    prefix = f"{row.type}-{row.post_id}" if row.type in ("favourite", "reblog") else row.type
    return f"{prefix}-{bucket}"


def _span(bucket: int) -> tuple[datetime, datetime]:
    start = bucket * SPAN_SECONDS
    return (datetime.fromtimestamp(start, timezone.utc), datetime.fromtimestamp(start + SPAN_SECONDS, timezone.utc))


def group_conditions(key: str) -> list | None:
    """Conditions on Notification that select the group named `key`; None for a key that
    names no group (malformed, or out of range)."""
    match = _KEY.match(key or "")
    if match is None:
        return None
    if match["id"]:
        return [Notification.id == int(match["id"])] if int(match["id"]) <= MAX_KEY else None
    kind, bucket = (match["type"], match["b1"]) if match["type"] else ("follow", match["b2"])
    if int(bucket) > 10 ** 8:
        return None  # past the year 100000: no notification has this key
    start, end = _span(int(bucket))
    conditions = [Notification.type == kind, Notification.created_at >= start, Notification.created_at < end]
    if match["type"]:
        if int(match["post"]) > MAX_KEY:
            return None
        conditions.append(Notification.post_id == int(match["post"]))
    return conditions


def group_query(account_id: int, key: str):
    """A select of one account's notifications in the group, newest first; None for a bad key."""
    conditions = group_conditions(key)
    if conditions is None:
        return None
    return select(Notification).where(Notification.account_id == account_id, *conditions).order_by(
        Notification.id.desc())
