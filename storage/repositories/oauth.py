"""OAuth apps, authorization codes and access tokens.

Every secret is minted here and only its SHA-256 digest is written; callers hand back the
secret they were given and the lookup hashes it again.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, OAuthApp, OAuthCode, OAuthToken, User
from ..types import utcnow

CODE_LIFETIME = timedelta(minutes=10)  # RFC 6749 §4.1.2: "a maximum authorization code lifetime of 10 minutes"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """256 random bits, URL-safe: unguessable (RFC 6749 §10.10) and safe in a query string."""
    return secrets.token_urlsafe(32)


async def put_app(session: AsyncSession, *, name: str, website: str | None, redirect_uris: list[str],
                  scopes: list[str]) -> tuple[OAuthApp, str]:
    """Register a client; answers the row and its client secret, which is never readable again."""
    client_secret = new_secret()
    app = OAuthApp(
        client_id=new_secret(), client_secret_digest=digest(client_secret), name=name,
        website=website, redirect_uris=redirect_uris, scopes=scopes,
    )
    session.add(app)
    await session.flush()
    return app, client_secret


async def get_app_by_client_id(session: AsyncSession, client_id: str) -> OAuthApp | None:
    result = await session.execute(select(OAuthApp).where(OAuthApp.client_id == client_id))
    return result.scalar_one_or_none()


async def get_app_by_id(session: AsyncSession, app_id: int) -> OAuthApp | None:
    return await session.get(OAuthApp, app_id)


def client_secret_matches(app: OAuthApp, client_secret: str) -> bool:
    return secrets.compare_digest(app.client_secret_digest, digest(client_secret))


async def put_code(session: AsyncSession, *, app_id: int, account_id: int, scopes: list[str], redirect_uri: str,
                   code_challenge: str | None, code_challenge_method: str | None) -> tuple[OAuthCode, str]:
    code = new_secret()
    row = OAuthCode(
        code_digest=digest(code), app_id=app_id, account_id=account_id, scopes=scopes,
        redirect_uri=redirect_uri, code_challenge=code_challenge,
        code_challenge_method=code_challenge_method, expires_at=utcnow() + CODE_LIFETIME,
    )
    session.add(row)
    await session.flush()
    return row, code


async def get_code(session: AsyncSession, code: str) -> OAuthCode | None:
    result = await session.execute(select(OAuthCode).where(OAuthCode.code_digest == digest(code)))
    return result.scalar_one_or_none()


async def update_code_used(session: AsyncSession, code: OAuthCode) -> bool:
    """Mark the code spent; False when another request spent it first (a code works once, §4.1.2)."""
    result = await session.execute(
        update(OAuthCode).where(OAuthCode.id == code.id, OAuthCode.used_at.is_(None)).values(used_at=utcnow())
    )
    return result.rowcount == 1


async def put_token(session: AsyncSession, *, app_id: int, account_id: int | None,
                    scopes: list[str]) -> tuple[OAuthToken, str]:
    token = new_secret()
    row = OAuthToken(token_digest=digest(token), app_id=app_id, account_id=account_id, scopes=scopes)
    session.add(row)
    await session.flush()
    return row, token


async def get_token(session: AsyncSession, token: str) -> OAuthToken | None:
    result = await session.execute(select(OAuthToken).where(OAuthToken.token_digest == digest(token)))
    return result.scalar_one_or_none()


# Built once: every authenticated request runs it (see statuses._ACCOUNTS_WITH_STATS).
_TOKEN_WITH_OWNER = (
    select(OAuthToken, OAuthApp, Account, User)
    .join(OAuthApp, OAuthApp.id == OAuthToken.app_id)
    .outerjoin(Account, Account.id == OAuthToken.account_id)
    .outerjoin(User, User.account_id == OAuthToken.account_id)
    .where(OAuthToken.token_digest == bindparam("digest"))
)


async def get_token_with_owner(
    session: AsyncSession, token: str
) -> tuple[OAuthToken, OAuthApp, Account | None, User | None] | None:
    """The token, its app, and the account and user it acts for (both None for an app token)."""
    result = await session.execute(_TOKEN_WITH_OWNER, {"digest": digest(token)})
    row = result.first()
    return None if row is None else tuple(row)


async def update_token_revoked(session: AsyncSession, token: OAuthToken) -> None:
    await session.execute(
        update(OAuthToken).where(OAuthToken.id == token.id, OAuthToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )


async def update_token_last_used(session: AsyncSession, token_id: int, when: datetime) -> None:
    await session.execute(update(OAuthToken).where(OAuthToken.id == token_id).values(last_used_at=when))
