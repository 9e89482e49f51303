"""Polls attached to posts (local, or remote `Question`s) and the votes cast in them."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..snowflake import new_id
from ..types import UTCDateTime, utcnow
from .base import Base

URI = String(2048)


class Poll(Base):
    """A poll of one post. `votes_counts` holds a count per option: counted from the votes for
    a local poll, taken from the author's server (`replies.totalItems`) for a remote one."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    post_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"))
    options: Mapped[list] = mapped_column(JSON, default=list)
    votes_counts: Mapped[list] = mapped_column(JSON, default=list)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_totals: Mapped[bool] = mapped_column(Boolean, default=False)
    voters_count: Mapped[int | None] = mapped_column(Integer, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Set by the worker that closed the poll at its expiry (notified voters, sent the Update).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_polls_closed_at_expires_at", "closed_at", "expires_at"),)


class PollVote(Base):
    """One choice of one voter; a vote in a poll allowing several choices is several rows.
    `vote_uri` is the vote's `Note` (ours for a local voter, the peer's for a remote one)."""

    __tablename__ = "poll_votes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    poll_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("polls.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    choice: Mapped[int] = mapped_column(Integer)
    vote_uri: Mapped[str | None] = mapped_column(URI, default=None, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("poll_id", "account_id", "choice"),)
