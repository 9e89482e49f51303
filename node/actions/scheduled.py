"""Statuses scheduled for later: checked when they are scheduled (so a mistake is answered
then, not lost at posting time), kept with their parameters, and posted by the workers at
their time through create_post, the same path as any new post. Nothing here commits.

Mastodon's rules: the time must be at least five minutes ahead; a user may hold at most
MAX_SCHEDULED statuses and MAX_PER_DAY for one day.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Account, ScheduledStatus
from storage.repositories import accounts as account_repo
from storage.types import utcnow

from ..errors import ValidationError
from ..settings import Settings
from .common import require_local_person
from .polls import PollSpec
from .posts import checked_language, checked_text, claim_media, create_post

log = logging.getLogger(__name__)

MIN_AHEAD = timedelta(minutes=5)
MAX_SCHEDULED = 300
MAX_PER_DAY = 50
BATCH = 50


def parse_scheduled_at(text: str | None) -> datetime:
    try:
        moment = datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"scheduled_at must be an ISO 8601 time, not {text!r}") from None
    if moment.tzinfo is None:
        raise ValidationError("scheduled_at must give its time zone (end it with Z for UTC)")
    if moment < utcnow() + MIN_AHEAD:
        raise ValidationError("scheduled_at must be at least 5 minutes in the future")
    return moment


async def _check_room(session: AsyncSession, account: Account, when: datetime, leaving_id: int | None = None) -> None:
    rows = select(ScheduledStatus.scheduled_at).where(ScheduledStatus.account_id == account.id)
    if leaving_id is not None:
        rows = rows.where(ScheduledStatus.id != leaving_id)
    times = list((await session.execute(rows)).scalars())
    if len(times) >= MAX_SCHEDULED:
        raise ValidationError(f"at most {MAX_SCHEDULED} statuses can be scheduled")
    if sum(1 for moment in times if moment.date() == when.date()) >= MAX_PER_DAY:
        raise ValidationError(f"at most {MAX_PER_DAY} statuses can be scheduled for one day")


def _stored(fields: dict) -> dict:
    """The post's fields as JSON (ids as strings, the poll as an object)."""
    stored = {key: value for key, value in fields.items() if key not in ("media_ids", "poll")}
    for key in ("in_reply_to_id", "quote_of_id"):
        stored[key] = str(stored[key]) if stored.get(key) is not None else None
    poll: PollSpec | None = fields.get("poll")
    stored["poll"] = None if poll is None else {"options": poll.options, "expires_in": poll.expires_in,
                                                "multiple": poll.multiple, "hide_totals": poll.hide_totals}
    return stored


async def schedule(session: AsyncSession, account: Account, fields: dict, when: datetime) -> ScheduledStatus:
    """Keep a status to post at `when`; its text, language and images are checked now."""
    require_local_person(account)
    checked_text(fields.get("text"), fields.get("spoiler_text"))
    checked_language(fields.get("language"))
    media = await claim_media(session, account, fields.get("media_ids") or [])
    if not (fields.get("text") or "").strip() and not media:
        raise ValidationError("a post needs text or an image")
    await _check_room(session, account, when)
    row = ScheduledStatus(account_id=account.id, scheduled_at=when, params=_stored(fields),
                          media_ids=[str(item.id) for item in media])
    session.add(row)
    await session.flush()
    return row


async def reschedule(session: AsyncSession, account: Account, row: ScheduledStatus, when: datetime) -> None:
    await _check_room(session, account, when, leaving_id=row.id)
    row.scheduled_at = when
    await session.flush()


def _fields(row: ScheduledStatus) -> dict:
    params = dict(row.params or {})
    poll = params.pop("poll", None)
    return {**params, "media_ids": list(row.media_ids or []),
            "poll": PollSpec(poll["options"], poll["expires_in"], poll["multiple"], poll["hide_totals"])
            if poll else None}


async def post_due(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Post the statuses whose time has come, each in a savepoint: one that can no longer be
    posted (its reply target deleted, its images taken) is dropped and logged, as Mastodon
    drops it, and the others still go out."""
    result = await session.execute(select(ScheduledStatus).where(ScheduledStatus.scheduled_at <= now)
                                   .order_by(ScheduledStatus.scheduled_at).limit(BATCH))
    due = list(result.scalars())
    for row in due:
        author = await account_repo.get_account_by_id(session, row.account_id)
        try:
            async with session.begin_nested():
                await create_post(session, settings, author, **_fields(row))
        except (ValidationError, NotFound) as exc:
            log.info("scheduled status %s of %s was not posted: %s", row.id, author.acct, exc)
        await session.delete(row)
    await session.flush()
    return len(due)

