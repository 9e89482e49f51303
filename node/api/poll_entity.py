"""The Poll entity (https://docs.joinmastodon.org/entities/Poll/), for statuses and the polls
API. Hidden totals stay null until the poll ends; `voters_count` is given for polls that
take several choices, as Mastodon gives it; the author of a poll counts as having voted."""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Poll
from storage.repositories import polls as poll_repo

from ..actions.polls import expired
from .entities import format_time


def poll_to_entity(poll: Poll, viewer: Account | None, own_choices: list[int]) -> dict:
    ended = expired(poll)
    hidden = poll.hide_totals and not ended
    counts = list(poll.votes_counts or []) + [0] * (len(poll.options) - len(poll.votes_counts or []))
    entity = {
        "id": str(poll.id),
        "expires_at": format_time(poll.expires_at),
        "expired": ended,
        "multiple": bool(poll.multiple),
        "votes_count": sum(counts),
        "voters_count": poll.voters_count if poll.multiple else None,
        "options": [{"title": title, "votes_count": None if hidden else counts[index]}
                    for index, title in enumerate(poll.options)],
        "emojis": [],
    }
    if viewer is not None:
        entity["voted"] = bool(own_choices) or viewer.id == poll.account_id
        entity["own_votes"] = list(own_choices)
    return entity


class PollLinks:
    """The polls of a page of posts and the viewer's choices in them, loaded in two queries."""

    def __init__(self, viewer: Account | None) -> None:
        self.viewer = viewer
        self.polls: dict[int, Poll] = {}
        self.own: dict[int, list[int]] = {}

    async def load(self, session: AsyncSession, post_ids: list[int]) -> None:
        self.polls = await poll_repo.get_polls_by_post_ids(session, post_ids)
        if self.viewer is not None and self.polls:
            self.own = await poll_repo.get_own_choices(session, self.viewer.id, [p.id for p in self.polls.values()])

    def entity(self, post_id: int) -> dict | None:
        poll = self.polls.get(post_id)
        if poll is None:
            return None
        return poll_to_entity(poll, self.viewer, self.own.get(poll.id, []))
