"""An account moving to another (ActivityPub `Move`, as Mastodon sends it when a user
migrates): this node's followers of the old account follow the new one instead, as
Mastodon's MoveWorker does, unless a block stands between them; the old account is marked
as moved. The check that the new account names the old one in `alsoKnownAs` is the inbox
handler's (it needs a fetch). Nothing here commits."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Follow
from storage.states import FollowState

from ..errors import ValidationError
from ..settings import Settings
from .follows import follow, unfollow

MAX_MOVED_FOLLOWERS = 10_000


async def move_account(session: AsyncSession, settings: Settings, old: Account, new: Account) -> int:
    """Move the old account's local followers to the new account; answers how many moved."""
    if old.id == new.id:
        raise ValidationError("an account cannot move to itself")
    old.moved_to_account_id = new.id
    followers = await session.execute(
        select(Account).join(Follow, Follow.account_id == Account.id)
        .where(Follow.target_account_id == old.id, Follow.state == FollowState.ACCEPTED, Account.domain.is_(None))
        .limit(MAX_MOVED_FOLLOWERS))
    moved = 0
    for follower in list(followers.scalars()):
        await unfollow(session, settings, follower, old)
        try:
            await follow(session, settings, follower, new)
        except ValidationError:
            continue  # blocked either way, or the new account is gone: the follower stays unmoved
        moved += 1
    await session.flush()
    return moved
