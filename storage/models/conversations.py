"""Direct conversations of local accounts: direct posts grouped by who takes part."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..snowflake import new_id
from ..types import UTCDateTime, utcnow
from .base import Base


class Conversation(Base):
    """One local account's view of a direct conversation: the other participants (their ids,
    and `participants_key`, a digest of them, to find the row), its recent posts, newest last,
    and whether the account has read the newest."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"))
    participants_key: Mapped[str] = mapped_column(String(64))
    participant_ids: Mapped[list] = mapped_column(JSON, default=list)
    post_ids: Mapped[list] = mapped_column(JSON, default=list)
    last_post_id: Mapped[int] = mapped_column(BigInteger)
    unread: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "participants_key"),
        Index("ix_conversations_account_id_last_post_id", "account_id", "last_post_id"),
    )
