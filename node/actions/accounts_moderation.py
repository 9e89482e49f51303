"""What the node's moderators do to an account: approve or reject a pending sign-up, suspend
or lift a suspension, silence or lift a silence. The admin API, the `muralist admin` command
and report resolution all call these. Nothing here commits.

As on Mastodon: a suspended local account cannot sign in and its posts and images are not
shown; a suspended remote account's posts, boosts, likes and follows are purged and its
activities ignored from then on. A silenced account is seen only by its followers
(node/actions/hiding.py). Rejecting a sign-up deletes the account and its user.
"""

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, User
from storage.repositories import accounts as account_repo
from storage.types import utcnow

from ..errors import ValidationError
from ..settings import Settings
from .deletes import purge_account


async def pending_user(session: AsyncSession, account: Account) -> User:
    user = await account_repo.get_user_by_account_id(session, account.id) if account.domain is None else None
    if user is None:
        raise ValidationError(f"{account.acct} is not a local user")
    if user.approved:
        raise ValidationError(f"{account.acct} is not waiting for approval")
    return user


async def approve(session: AsyncSession, account: Account) -> None:
    """A pending sign-up may sign in from now on."""
    user = await pending_user(session, account)
    user.approved = True
    await session.flush()


async def reject(session: AsyncSession, account: Account) -> None:
    """A pending sign-up is refused: the account and its user go (Mastodon deletes them too)."""
    await pending_user(session, account)
    await session.execute(delete(User).where(User.account_id == account.id))
    await session.delete(account)
    await session.flush()


def _check_target(account: Account) -> None:
    if account.domain is None and account.actor_type not in ("Person", "Service"):
        raise ValidationError("the instance actor cannot be moderated")


async def suspend(session: AsyncSession, settings: Settings, account: Account) -> None:
    """Suspend an account; a remote account's content on this node is purged."""
    _check_target(account)
    if account.suspended_at is None:
        account.suspended_at = utcnow()
    if account.domain is not None:
        await purge_account(session, settings, account)
    await session.flush()


async def unsuspend(session: AsyncSession, account: Account) -> None:
    account.suspended_at = None
    await session.flush()


async def silence(session: AsyncSession, account: Account) -> None:
    _check_target(account)
    if account.silenced_at is None:
        account.silenced_at = utcnow()
    await session.flush()


async def unsilence(session: AsyncSession, account: Account) -> None:
    account.silenced_at = None
    await session.flush()
