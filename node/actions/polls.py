"""Polls: the checks of a new poll, votes by local and remote accounts, polls read from
other servers' Questions, and closing polls at their end.

A vote in a local poll is counted here and the Question's new counts go out in an Update
to everyone who sees the post (Mastodon's DistributePollUpdateWorker); a local account's
vote in a remote poll goes to the poll's author as one `Note` per choice, and the counts
shown here move at once, before the author's Update confirms them. Nothing here commits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.delivery.queue import enqueue_delivery, inboxes_of
from activitypub.inbox.question_parse import RemotePoll
from activitypub.outbox import activities
from activitypub.outbox.question import vote_note
from storage.models import Account, Poll, PollVote, Post
from storage.repositories import accounts as account_repo
from storage.repositories import polls as poll_repo
from storage.snowflake import new_id
from storage.states import NotificationType
from storage.types import utcnow

from ..errors import ValidationError
from ..settings import Settings
from ..urls import Urls
from .notify import notify
from .visibility import check_visible

# Mastodon's defaults, advertised in the instance's configuration.polls.
MAX_OPTIONS = 4
MAX_OPTION_CHARACTERS = 50
MIN_EXPIRATION = 300
MAX_EXPIRATION = 2629746


@dataclass(frozen=True)
class PollSpec:
    options: list[str]
    expires_in: int
    multiple: bool
    hide_totals: bool


def checked_poll(options, expires_in, multiple: bool | None, hide_totals: bool | None) -> PollSpec:
    """A new poll's parts, checked as Mastodon's PollValidator checks them."""
    options = [option.strip() if isinstance(option, str) else option for option in options or []]
    if len(options) < 2:
        raise ValidationError("a poll needs at least 2 options")
    if len(options) > MAX_OPTIONS:
        raise ValidationError(f"a poll can have at most {MAX_OPTIONS} options")
    if any(not isinstance(option, str) or not option for option in options):
        raise ValidationError("poll options must be non-empty text")
    if any(len(option) > MAX_OPTION_CHARACTERS for option in options):
        raise ValidationError(f"a poll option is longer than {MAX_OPTION_CHARACTERS} characters")
    if len(set(options)) != len(options):
        raise ValidationError("poll options must differ from each other")
    if expires_in is None:
        raise ValidationError("poll[expires_in] is required")
    if not MIN_EXPIRATION <= expires_in <= MAX_EXPIRATION:
        raise ValidationError(f"poll[expires_in] must be from {MIN_EXPIRATION} to {MAX_EXPIRATION} seconds")
    return PollSpec(options, expires_in, bool(multiple), bool(hide_totals))


def add_poll(session: AsyncSession, post: Post, spec: PollSpec) -> Poll:
    poll = Poll(post_id=post.id, account_id=post.account_id, options=list(spec.options),
                votes_counts=[0] * len(spec.options), multiple=spec.multiple, hide_totals=spec.hide_totals,
                voters_count=0, expires_at=post.created_at + timedelta(seconds=spec.expires_in))
    session.add(poll)
    return poll


def expired(poll: Poll, now: datetime | None = None) -> bool:
    return poll.closed_at is not None or (poll.expires_at is not None and poll.expires_at <= (now or utcnow()))


def question_parts(poll: Poll) -> dict:
    """The keyword arguments of activitypub.outbox.question.as_question for a local poll.
    Hidden totals are sent as zeros until the poll ends, as Mastodon does."""
    hidden = poll.hide_totals and not expired(poll)
    return {"options": list(poll.options), "counts": None if hidden else list(poll.votes_counts),
            "multiple": poll.multiple, "expires_at": poll.expires_at, "closed_at": poll.closed_at,
            "voters_count": poll.voters_count}


# --- votes ------------------------------------------------------------------------------

def _checked_choices(poll: Poll, choices: list[int] | None) -> list[int]:
    picked = list(dict.fromkeys(choices or []))
    if not picked:
        raise ValidationError("choices must name at least one option")
    if any(not 0 <= choice < len(poll.options) for choice in picked):
        raise ValidationError(f"choices must be option numbers from 0 to {len(poll.options) - 1}")
    if len(picked) > 1 and not poll.multiple:
        raise ValidationError("this poll takes one choice")
    return picked


async def vote(session: AsyncSession, settings: Settings, voter: Account, poll: Poll, post: Post,
               choices: list[int] | None) -> Poll:
    """A local account's vote (one or, where allowed, several choices)."""
    await check_visible(session, voter, post)
    picked = _checked_choices(poll, choices)
    if expired(poll):
        raise ValidationError("the poll has already ended")
    if (await poll_repo.get_own_choices(session, voter.id, [poll.id])).get(poll.id):
        raise ValidationError("you have already voted on this poll")
    urls = Urls(settings)
    rows = [PollVote(poll_id=poll.id, account_id=voter.id, choice=choice,
                     vote_uri=f"{urls.actor(voter.username)}#votes/{new_id()}") for choice in picked]
    session.add_all(rows)
    author = await account_repo.get_account_by_id(session, poll.account_id)
    if post.local:
        await poll_repo.recount(session, poll)
        await distribute_poll(session, settings, post, author, poll)
        return poll
    # A remote poll: count the vote here at once, and tell the poll's server.
    poll.votes_counts = [count + (index in picked) for index, count in enumerate(poll.votes_counts or [])]
    poll.voters_count = (poll.voters_count or 0) + 1
    for row in rows:
        note = vote_note(row.vote_uri, voter.actor_uri, post.object_uri, author.actor_uri, poll.options[row.choice])
        await enqueue_delivery(session, activities.create(voter.actor_uri, note), voter, inboxes_of([author]))
    await session.flush()
    return poll


async def receive_vote(session: AsyncSession, settings: Settings, voter: Account, post: Post, name: str,
                       vote_uri: str) -> bool:
    """A remote account's vote in a local poll; False when the Note is no vote in this
    post's poll (then it is an ordinary reply). A vote after the end, a second vote in a
    one-choice poll or the same choice twice is ignored, as Mastodon ignores them."""
    poll = await poll_repo.get_poll_by_post_id(session, post.id) if post.local else None
    if poll is None or name not in poll.options:
        return False
    own = (await poll_repo.get_own_choices(session, voter.id, [poll.id])).get(poll.id, [])
    choice = poll.options.index(name)
    if expired(poll) or choice in own or (own and not poll.multiple):
        return True
    session.add(PollVote(poll_id=poll.id, account_id=voter.id, choice=choice, vote_uri=vote_uri))
    await poll_repo.recount(session, poll)
    author = await account_repo.get_account_by_id(session, poll.account_id)
    await distribute_poll(session, settings, post, author, poll)
    return True


async def distribute_poll(session: AsyncSession, settings: Settings, post: Post, author: Account, poll: Poll) -> None:
    """The Question's new state in an Update, to the post's audience and the remote voters."""
    from .common import load_note
    from .posts import audience, mentions_of

    poll.updated_at = utcnow()
    await session.flush()
    question = await load_note(session, Urls(settings), post, author)
    inboxes = await audience(session, post, author, await mentions_of(session, post))
    inboxes |= inboxes_of(await poll_repo.list_remote_voters(session, poll.id))
    update = activities.update(author.actor_uri, question, f"{post.object_uri}#updates/{new_id()}")
    await enqueue_delivery(session, update, author, inboxes)


# --- remote polls ------------------------------------------------------------------------

async def store_remote_poll(session: AsyncSession, post: Post, remote: RemotePoll | None) -> None:
    """Keep (or refresh) the poll of a remote post from its Question."""
    if remote is None or post.local:
        return
    poll = await poll_repo.get_poll_by_post_id(session, post.id)
    if poll is None:
        poll = Poll(post_id=post.id, account_id=post.account_id)
        session.add(poll)
    poll.options, poll.votes_counts = list(remote.options), list(remote.counts)
    poll.multiple, poll.expires_at, poll.voters_count = remote.multiple, remote.expires_at, remote.voters_count
    poll.hide_totals = False
    now = utcnow()
    if remote.closed and poll.closed_at is None and (poll.expires_at is None or poll.expires_at > now):
        # Closed early by its author's server: the due-round closes it here now, and tells
        # the local voters, as at a planned end.
        poll.expires_at = now
    poll.updated_at = now
    await session.flush()


# --- closing -------------------------------------------------------------------------------

async def close_poll(session: AsyncSession, settings: Settings, poll: Poll) -> None:
    """Close a poll at its end: its local voters and local author are notified (type `poll`),
    and a local poll's final counts go out."""
    from .common import get_post

    post = await get_post(session, poll.post_id)
    author = await account_repo.get_account_by_id(session, poll.account_id)
    poll.closed_at = poll.expires_at or utcnow()
    for voter_id in await poll_repo.list_voter_ids(session, poll.id):
        voter = await account_repo.get_account_by_id(session, voter_id)
        if voter is not None:
            notify(session, voter, author, NotificationType.POLL, post)
    if post.local:
        notify(session, author, author, NotificationType.POLL, post, allow_self=True)
        await distribute_poll(session, settings, post, author, poll)
    await session.flush()
