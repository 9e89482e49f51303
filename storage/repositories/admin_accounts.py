"""The accounts list of the admin API: every account (local ones with their user) with
Mastodon's filters (origin, status, username, email)."""

from sqlalchemy import func, select

from ..models import Account, User
from ..states import USER_ACTOR_TYPES

STATUSES = ("active", "pending", "disabled", "silenced", "suspended")


def admin_accounts_query(*, origin: str | None = None, status: str | None = None, username: str | None = None,
                         email: str | None = None):
    """A select of (account id, Account, User or None), keyed by account id. The instance
    actor is not listed."""
    query = (select(Account.id, Account, User).outerjoin(User, User.account_id == Account.id)
             .where((Account.domain.is_not(None)) | Account.actor_type.in_(USER_ACTOR_TYPES)))
    if origin == "local":
        query = query.where(Account.domain.is_(None))
    elif origin == "remote":
        query = query.where(Account.domain.is_not(None))
    if status == "pending":
        query = query.where(User.approved.is_(False))
    elif status == "suspended":
        query = query.where(Account.suspended_at.is_not(None))
    elif status == "silenced":
        query = query.where(Account.silenced_at.is_not(None))
    elif status == "active":
        query = query.where(Account.suspended_at.is_(None), (User.id.is_(None)) | User.approved.is_(True))
    elif status == "disabled":
        query = query.where(Account.id.is_(None))  # this node disables no login short of suspending it
    if username:
        query = query.where(func.lower(Account.username).like(_prefix(username), escape="!"))
    if email:
        query = query.where(func.lower(User.email).like(_prefix(email), escape="!"))
    return query, Account.id


def _prefix(text: str) -> str:
    for char in "!%_":
        text = text.replace(char, "!" + char)
    return text.lower() + "%"
