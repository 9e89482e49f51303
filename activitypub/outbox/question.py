"""Polls on the wire, as Mastodon writes them: a post with a poll is a `Question` whose
`oneOf` (one choice) or `anyOf` (several) lists the options as `Note`s with a `name` and
their counts in `replies.totalItems`, with `endTime`, `votersCount` and, once over,
`closed`; a vote is a `Note` with the option's title as `name`, in reply to the Question,
addressed to its author alone."""

from datetime import datetime

from ..actor import format_datetime


def as_question(note: dict, *, options: list[str], counts: list[int] | None, multiple: bool,
                expires_at: datetime | None, closed_at: datetime | None, voters_count: int | None) -> dict:
    """The Note of a post with a poll, turned into its Question. `counts` None hides the
    totals (Mastodon sends 0 for each option until the poll ends)."""
    question = dict(note)
    question["type"] = "Question"
    question["oneOf" if not multiple else "anyOf"] = [
        {"type": "Note", "name": title,
         "replies": {"type": "Collection", "totalItems": counts[index] if counts is not None else 0}}
        for index, title in enumerate(options)
    ]
    if expires_at is not None:
        question["endTime"] = format_datetime(expires_at)
    if closed_at is not None:
        question["closed"] = format_datetime(closed_at)
    if voters_count is not None:
        question["votersCount"] = voters_count
    return question


def vote_note(vote_uri: str, voter_uri: str, question_uri: str, question_author_uri: str, name: str) -> dict:
    return {"id": vote_uri, "type": "Note", "name": name, "attributedTo": voter_uri, "inReplyTo": question_uri,
            "to": [question_author_uri], "cc": []}
