"""Reading and writing accounts and their users."""

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import Conflict, NotFound
from ..models import Account, Post, Quote, User
from ..states import USER_ACTOR_TYPES

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> bool:
    return not _UNSTORABLE.search(text)


async def get_account_by_id(session: AsyncSession, account_id: int) -> Account:
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound(f"account {account_id} not found")
    return account


async def get_account_by_uri(session: AsyncSession, actor_uri: str) -> Account | None:
    result = await session.execute(select(Account).where(Account.actor_uri == actor_uri))
    return result.scalar_one_or_none()


async def get_account_by_username(
    session: AsyncSession, username: str, domain: str | None = None
) -> Account | None:
    """The account called `username` on `domain` (None: this node), ignoring case."""
    if not storable(username) or (domain is not None and not storable(domain)):
        return None  # no account has a name no column can hold (NUL, a lone surrogate)
    query = select(Account).where(func.lower(Account.username) == username.lower())
    if domain is None:
        query = query.where(Account.domain.is_(None))
    else:
        query = query.where(func.lower(Account.domain) == domain.lower())
    result = await session.execute(query)
    return result.scalar_one_or_none()


async def get_local_person_by_username(session: AsyncSession, username: str) -> Account | None:
    """A local user's account (a person or a bot); the instance actor is not returned."""
    account = await get_account_by_username(session, username)
    if account is None or account.actor_type not in USER_ACTOR_TYPES:
        return None
    return account


async def _insert(session: AsyncSession, row, conflict_message: str):
    """Insert one row; on a uniqueness clash roll the whole transaction back and raise Conflict.

    Rolling back (rather than a savepoint) keeps the rule simple on every backend: a
    transaction that met a conflict writes nothing at all.
    """
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(conflict_message) from exc
    return row


async def put_account(session: AsyncSession, account: Account) -> Account:
    return await _insert(session, account, f"account {account.acct} already exists")


async def put_user(session: AsyncSession, user: User) -> User:
    return await _insert(session, user, f"a user with email {user.email} already exists")


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email.lower()))
    return result.scalar_one_or_none()


async def get_user_by_account_id(session: AsyncSession, account_id: int) -> User | None:
    result = await session.execute(select(User).where(User.account_id == account_id))
    return result.scalar_one_or_none()


async def list_local_users(session: AsyncSession) -> list[tuple[User, Account]]:
    result = await session.execute(
        select(User, Account).join(Account, User.account_id == Account.id).order_by(Account.id)
    )
    return [(user, account) for user, account in result.all()]


async def count_local_users(session: AsyncSession) -> int:
    result = await session.execute(select(func.count()).select_from(User))
    return int(result.scalar_one())


async def get_instance_actor(session: AsyncSession) -> Account | None:
    result = await session.execute(
        select(Account).where(Account.domain.is_(None), Account.actor_type == "Application")
    )
    return result.scalar_one_or_none()


async def list_remote_sharers(session: AsyncSession, post_id: int) -> list[Account]:
    """Remote accounts that boosted or quoted a post."""
    boosters = select(Post.account_id).where(Post.reblog_of_id == post_id)
    quoters = select(Quote.account_id).where(Quote.quoted_post_id == post_id)
    result = await session.execute(select(Account).where(
        Account.domain.is_not(None), Account.id.in_(boosters.union(quoters).scalar_subquery())))
    return list(result.scalars())


async def get_accounts_by_uris(session: AsyncSession, uris) -> dict[str, Account]:
    wanted = sorted({uri for uri in uris if uri})
    if not wanted:
        return {}
    result = await session.execute(select(Account).where(Account.actor_uri.in_(wanted)))
    return {account.actor_uri: account for account in result.scalars()}
