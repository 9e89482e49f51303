"""Reading polls from other servers: the options, counts and dates of a `Question`, and
votes (a `Note` with a `name`, in reply to a poll, Mastodon's form). Everything is bounded:
a Question lists at most MAX_OPTIONS options, each title at most MAX_TITLE characters."""

from dataclasses import dataclass
from datetime import datetime

from ..shapes import as_list, has_type, id_of, text_of
from .note_parse import parse_time

MAX_OPTIONS = 20
MAX_TITLE = 200
MAX_COUNT = 10 ** 9


@dataclass(frozen=True)
class RemotePoll:
    options: list[str]
    counts: list[int]
    multiple: bool
    expires_at: datetime | None
    closed: bool
    voters_count: int | None


def _count(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT else 0


def parse_question(document: dict) -> RemotePoll | None:
    """The poll of a Question, or None when the document is not one or lists no options."""
    if not has_type(document, "Question"):
        return None
    multiple = "anyOf" in document and "oneOf" not in document
    items = as_list(document.get("anyOf") if multiple else document.get("oneOf"))[:MAX_OPTIONS]
    options, counts = [], []
    for item in items:
        if not isinstance(item, dict):
            continue
        title = text_of(item.get("name"), MAX_TITLE)
        if not title:
            continue
        replies = item.get("replies")
        options.append(title)
        counts.append(_count(replies.get("totalItems")) if isinstance(replies, dict) else 0)
    if not options:
        return None
    voters = document.get("votersCount")
    closed = document.get("closed")
    expires_at = parse_time(document.get("endTime")) or (parse_time(closed) if isinstance(closed, str) else None)
    return RemotePoll(options=options, counts=counts, multiple=multiple, expires_at=expires_at,
                      closed=bool(closed), voters_count=_count(voters) if voters is not None else None)


def vote_of(document) -> tuple[str, str] | None:
    """(the poll's post IRI, the option's title) when the document can be a vote: a Note with
    a `name` in reply to something, and no text (Mastodon's ActivityPub::Activity::Create
    takes such a Note as a vote when it answers a local poll with an option of that name)."""
    if not isinstance(document, dict) or not has_type(document, "Note"):
        return None
    name, parent, content = document.get("name"), id_of(document.get("inReplyTo")), document.get("content")
    if not isinstance(name, str) or not name or not parent or (isinstance(content, str) and content.strip()):
        return None
    return parent, name[:MAX_TITLE]
