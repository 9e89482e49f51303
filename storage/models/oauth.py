"""OAuth 2.0 clients (apps), authorization codes and access tokens of the Mastodon client API.

Secrets are never stored: codes, tokens and client secrets are kept as SHA-256 digests, so a
copy of the database cannot be replayed against the node (RFC 6819 §5.1.4.1.3).
"""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..snowflake import new_id
from ..types import UTCDateTime, utcnow
from .base import Base

URI = String(2048)
DIGEST = String(64)


class OAuthApp(Base):
    """A registered client (`POST /api/v1/apps`): its redirect URIs and the scopes it may ask for."""

    __tablename__ = "oauth_apps"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_secret_digest: Mapped[str] = mapped_column(DIGEST)
    name: Mapped[str] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(URI, default=None)
    redirect_uris: Mapped[list] = mapped_column(JSON, default=list)
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OAuthCode(Base):
    """A one-time authorization code (RFC 6749 §4.1.2) with its PKCE challenge (RFC 7636 §4.4)."""

    __tablename__ = "oauth_codes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    code_digest: Mapped[str] = mapped_column(DIGEST, unique=True)
    app_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("oauth_apps.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    redirect_uri: Mapped[str] = mapped_column(URI)
    code_challenge: Mapped[str | None] = mapped_column(String(128), default=None)
    code_challenge_method: Mapped[str | None] = mapped_column(String(16), default=None)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OAuthToken(Base):
    """A bearer token. `account_id` is NULL for an app token from the client_credentials grant."""

    __tablename__ = "oauth_tokens"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    token_digest: Mapped[str] = mapped_column(DIGEST, unique=True)
    app_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("oauth_apps.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), default=None, index=True
    )
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
