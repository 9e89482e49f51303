"""Mutes: a local user hides an account from her timelines (and, unless she says otherwise,
from her notifications), for good or for a while. Nothing travels: a mute is private
(Mastodon's MuteService). Nothing here commits."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Mute
from storage.repositories import blocks as block_repo
from storage.types import utcnow

from ..errors import ValidationError
from .common import require_local_person

# Mastodon's largest mute duration field is an integer of seconds; a year-plus is plenty.
MAX_DURATION = 10 * 365 * 24 * 3600


async def mute(session: AsyncSession, account: Account, target: Account, *, notifications: bool = True,
               duration: int = 0) -> Mute:
    """Mute `target` (again: the new settings replace the old); `duration` seconds, 0 for ever."""
    require_local_person(account)
    if target.id == account.id:
        raise ValidationError("you cannot mute yourself")
    if not 0 <= duration <= MAX_DURATION:
        raise ValidationError(f"duration must be between 0 and {MAX_DURATION} seconds")
    expires_at = utcnow() + timedelta(seconds=duration) if duration else None
    row = await block_repo.get_mute(session, account.id, target.id)
    if row is None:
        row = Mute(account_id=account.id, target_account_id=target.id)
        session.add(row)
    row.notifications, row.expires_at = notifications, expires_at
    await session.flush()
    return row


async def unmute(session: AsyncSession, account: Account, target: Account) -> None:
    require_local_person(account)
    row = await block_repo.get_mute(session, account.id, target.id)
    if row is not None:
        await session.delete(row)
        await session.flush()
