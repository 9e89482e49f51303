"""Generation jobs: a user's request for an image, queued until a worker draws it.

A job is a durable queue row like the inbox and delivery rows (storage/models/queues.py):
`state` goes queued -> running -> done, or -> failed with the reason in `error`. A running
job holds a lease (`locked_until`, `lease_token`); a worker that dies lets the lease expire
and the job is claimed again, so a restart loses no job.
"""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..snowflake import new_id
from ..states import GenerationState
from ..types import UTCDateTime, utcnow
from .base import Base

class GenerationJob(Base):
    __tablename__ = "generation_jobs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default=GenerationState.QUEUED)
    prompt: Mapped[str] = mapped_column(Text)
    style: Mapped[str | None] = mapped_column(String(32), default=None)
    width: Mapped[int] = mapped_column(Integer, default=1024)
    height: Mapped[int] = mapped_column(Integer, default=1024)
    seed: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The post being remixed; no foreign key, so deleting that post later keeps the history.
    remix_of_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    media_attachment_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    lease_token: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        # The history page and the rate limit read one account's jobs, newest first.
        Index("ix_generation_jobs_account_id_id", "account_id", "id"),
        Index("ix_generation_jobs_state_next_attempt_at", "state", "next_attempt_at"),
    )

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"
