"""Web Push (RFC 8030): the node's VAPID key, each access token's push subscription, and the
queue of encrypted notifications the workers send to push services."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..snowflake import new_id
from ..states import QueueState
from ..types import UTCDateTime, utcnow
from .base import Base

URI = String(2048)


class NodeKey(Base):
    """A key pair the node makes once and keeps (the VAPID key of RFC 8292): regenerating it
    would break every push subscription, since push services bind a subscription to it."""

    __tablename__ = "node_keys"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_key: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PushSubscription(Base):
    """Where to push one access token's notifications, as Mastodon keeps it: one per token,
    replaced when the app subscribes again, gone with the token."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    token_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("oauth_tokens.id", ondelete="CASCADE"), unique=True)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(URI)
    key_p256dh: Mapped[str] = mapped_column(String(255))
    key_auth: Mapped[str] = mapped_column(String(255))
    # Mastodon 4.4: `standard` subscriptions get RFC 8291 aes128gcm, others the older aesgcm draft.
    standard: Mapped[bool] = mapped_column(Boolean, default=False)
    alerts: Mapped[dict] = mapped_column(JSON, default=dict)
    policy: Mapped[str] = mapped_column(String(16), default="all")
    # Notifications up to this id were considered for pushing (the fan-out's high-water mark).
    last_notification_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PushDelivery(Base):
    """One notification to push to one subscription; encrypted when it is sent, retried with
    backoff, dropped with its subscription when the push service says the endpoint is gone."""

    __tablename__ = "push_deliveries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    subscription_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("push_subscriptions.id", ondelete="CASCADE"))
    notification_id: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[str] = mapped_column(Text)
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
        UniqueConstraint("subscription_id", "notification_id"),
        Index("ix_push_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    )
