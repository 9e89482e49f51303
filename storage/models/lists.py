"""Lists of accounts a local user follows, read as their own timelines (Mastodon's lists)."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..snowflake import new_id
from ..states import RepliesPolicy
from ..types import UTCDateTime, utcnow
from .base import Base


class List(Base):
    """A named list owned by a local account. `exclusive` takes its members' posts out of the
    owner's home feed (Mastodon 4.2); `replies_policy` says which replies the list shows."""

    __tablename__ = "lists"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(256))
    replies_policy: Mapped[str] = mapped_column(String(16), default=RepliesPolicy.LIST)
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListAccount(Base):
    """A member of a list: an account the list's owner follows (or asked to follow)."""

    __tablename__ = "list_accounts"

    list_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_list_accounts_account_id", "account_id"),)
