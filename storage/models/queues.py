"""Durable work queues: received activities waiting to be processed, and deliveries to send."""

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..snowflake import new_id
from ..states import QueueState
from ..types import UTCDateTime, utcnow
from .base import Base

URI = String(2048)


class InboxItem(Base):
    """A verified incoming activity, stored before the 202 answer and processed by a worker.

    `state` goes queued -> done, or queued -> failed after the retry cap; the traceback of
    the last failed attempt stays in `last_error`.
    """

    __tablename__ = "inbox_items"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    activity_uri: Mapped[str] = mapped_column(URI, unique=True)
    actor_uri: Mapped[str] = mapped_column(URI)
    activity_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    recipient_account_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    state: Mapped[str] = mapped_column(String(16), default=QueueState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    lease_token: Mapped[str | None] = mapped_column(String(32), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (Index("ix_inbox_items_state_next_attempt_at", "state", "next_attempt_at"),)


class Delivery(Base):
    """One signed POST of one activity to one inbox (a shared inbox serves many recipients)."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    activity_uri: Mapped[str] = mapped_column(URI)
    inbox_uri: Mapped[str] = mapped_column(URI)
    host: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    signer_account_id: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default=QueueState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    lease_token: Mapped[str | None] = mapped_column(String(32), default=None)
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        UniqueConstraint("activity_uri", "inbox_uri"),
        Index("ix_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    )
