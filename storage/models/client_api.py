"""Rows the Mastodon client API keeps beyond the protocol's: bookmarks, the versions of edited
posts (for `/statuses/:id/history`) and `Idempotency-Key`s of recent posts."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..snowflake import new_id
from ..types import UTCDateTime, utcnow
from .base import Base


class Bookmark(Base):
    """A post a local account saved for later; private to that account, never federated."""

    __tablename__ = "bookmarks"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "post_id"),
        Index("ix_bookmarks_account_id_id", "account_id", "id"),
    )


class PostEdit(Base):
    """One version of an edited post: the original is kept as the first row at the first edit."""

    __tablename__ = "post_edits"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    post_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    content: Mapped[str] = mapped_column(Text, default="")
    spoiler_text: Mapped[str] = mapped_column(Text, default="")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    # The media as they looked in this version: [{id, description}], in order.
    media: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdempotencyKey(Base):
    """An `Idempotency-Key` a client sent with a new post, so a retried request answers the
    same post instead of posting twice; kept about an hour, as Mastodon does."""

    __tablename__ = "idempotency_keys"

    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    post_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
