"""Filters a local user sets on what she reads (Mastodon's filters v2): keywords and single
posts, the places they apply, what they do there, and when they end."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..snowflake import new_id
from ..states import FilterAction
from ..types import UTCDateTime, utcnow
from .base import Base


class Filter(Base):
    """`context` lists where it applies (home, notifications, public, thread, account);
    `action` is `warn` (shown behind a warning), `hide` (left out) or `blur` (media hidden)."""

    __tablename__ = "filters"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(256))
    context: Mapped[list] = mapped_column(JSON, default=list)
    action: Mapped[str] = mapped_column(String(16), default=FilterAction.WARN)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FilterKeyword(Base):
    """A word or phrase; `whole_word` matches it only between word boundaries."""

    __tablename__ = "filter_keywords"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    filter_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("filters.id", ondelete="CASCADE"), index=True)
    keyword: Mapped[str] = mapped_column(String(512))
    whole_word: Mapped[bool] = mapped_column(Boolean, default=True)


class FilterStatus(Base):
    """One post the filter applies to, whatever its words."""

    __tablename__ = "filter_statuses"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    filter_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("filters.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("posts.id", ondelete="CASCADE"))

    __table_args__ = (UniqueConstraint("filter_id", "post_id"),)
