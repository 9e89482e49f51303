"""Accounts (local and remote actors in one table) and the login users behind local accounts."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ..snowflake import new_id
from ..states import QuotePolicy
from ..types import UTCDateTime, utcnow
from .base import Base

URI = String(2048)


class Account(Base):
    """An actor: a local user, the instance actor, or a remote actor we have seen.

    `domain` is NULL for local accounts. Local and remote rows share the columns a client
    or a peer reads, so serializing either is the same code.
    """

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(255))
    domain: Mapped[str | None] = mapped_column(String(255), default=None)
    actor_uri: Mapped[str] = mapped_column(URI, unique=True)
    actor_type: Mapped[str] = mapped_column(String(32), default="Person")
    display_name: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(URI, default=None)
    inbox_uri: Mapped[str | None] = mapped_column(URI, default=None)
    outbox_uri: Mapped[str | None] = mapped_column(URI, default=None)
    shared_inbox_uri: Mapped[str | None] = mapped_column(URI, default=None)
    followers_uri: Mapped[str | None] = mapped_column(URI, default=None)
    following_uri: Mapped[str | None] = mapped_column(URI, default=None)
    featured_uri: Mapped[str | None] = mapped_column(URI, default=None)
    avatar_uri: Mapped[str | None] = mapped_column(URI, default=None)
    header_uri: Mapped[str | None] = mapped_column(URI, default=None)
    public_key_id: Mapped[str | None] = mapped_column(URI, default=None)
    public_key_pem: Mapped[str | None] = mapped_column(Text, default=None)
    private_key_pem: Mapped[str | None] = mapped_column(Text, default=None)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    bot: Mapped[bool] = mapped_column(Boolean, default=False)
    discoverable: Mapped[bool] = mapped_column(Boolean, default=True)
    indexable: Mapped[bool] = mapped_column(Boolean, default=True)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    # Kept by database triggers on posts and follows (migration 0008), never written here.
    statuses_count: Mapped[int] = mapped_column(Integer, default=0)
    followers_count: Mapped[int] = mapped_column(Integer, default=0)
    following_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    gone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Moderation (migration 0009): an admin's suspension or silence, and where a Move went.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    silenced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    moved_to_account_id: Mapped[int | None] = mapped_column(BigInteger, default=None)

    __table_args__ = (
        # One account per (name, server), case-insensitively, with NULL meaning this node:
        # an expression index works the same on SQLite and PostgreSQL.
        Index(
            "uq_accounts_username_domain",
            func.lower(username),
            func.coalesce(domain, ""),
            unique=True,
        ),
    )

    @property
    def is_local(self) -> bool:
        return self.domain is None

    @property
    def acct(self) -> str:
        return self.username if self.domain is None else f"{self.username}@{self.domain}"


class User(Base):
    """The sign-in side of a local account: email, password hash, role and approval."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    approved: Mapped[bool] = mapped_column(Boolean, default=True)
    # Who may quote (remix) the user's new posts unless a post says otherwise.
    default_quote_policy: Mapped[str] = mapped_column(String(16), default=QuotePolicy.PUBLIC)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
