"""What a local account does with notifications from people it may not know (Mastodon 4.3's
notification policy), and the senders it accepted anyway."""

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class NotificationPolicy(Base):
    """Each field is `accept`, `filter` (kept aside as a request) or `drop`; an account
    without a row has Mastodon's defaults (storage.repositories.notification_policy)."""

    __tablename__ = "notification_policies"

    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    for_not_following: Mapped[str] = mapped_column(String(16))
    for_not_followers: Mapped[str] = mapped_column(String(16))
    for_new_accounts: Mapped[str] = mapped_column(String(16))
    for_private_mentions: Mapped[str] = mapped_column(String(16))
    for_limited_accounts: Mapped[str] = mapped_column(String(16))


class NotificationPermission(Base):
    """A sender whose notifications the account accepted (an accepted request)."""

    __tablename__ = "notification_permissions"

    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    from_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
