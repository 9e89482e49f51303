"""Web sign-in sessions: created with a new random token (only its digest is stored), found by
the token a cookie carries while unexpired, and deleted on sign-out."""

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, User, WebSession
from ..types import utcnow
from .oauth import digest, new_secret


async def put_web_session(session: AsyncSession, account_id: int, lifetime: timedelta) -> str:
    """A new session of the account; answers the token for the cookie (never stored)."""
    token, now = new_secret(), utcnow()
    session.add(WebSession(token_digest=digest(token), account_id=account_id, created_at=now, last_seen_at=now,
                           expires_at=now + lifetime))
    await session.flush()
    return token


async def get_web_session(session: AsyncSession, token: str) -> tuple[WebSession, User, Account] | None:
    """The unexpired session a token names, with its user and account."""
    query = (select(WebSession, User, Account).join(Account, Account.id == WebSession.account_id)
             .join(User, User.account_id == Account.id)
             .where(WebSession.token_digest == digest(token), WebSession.expires_at > utcnow()))
    row = (await session.execute(query)).first()
    return tuple(row) if row is not None else None


async def update_web_session_seen(session: AsyncSession, session_id: int, when: datetime, expires_at: datetime) -> None:
    await session.execute(update(WebSession).where(WebSession.id == session_id)
                          .values(last_seen_at=when, expires_at=expires_at))


async def delete_web_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(WebSession).where(WebSession.token_digest == digest(token)))
