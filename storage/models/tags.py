"""Hashtags: the known tags, the tags local accounts follow, and the tags they feature on
their profiles. Posts keep their own tags as names (posts.tags); these rows are about people."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..snowflake import new_id
from ..types import UTCDateTime, utcnow
from .base import Base


class Tag(Base):
    """`name` is lowercased, as posts.tags holds it; `display_name` keeps the case first seen."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    display_name: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TagFollow(Base):
    """A local account follows a tag: public posts with it enter the account's home feed."""

    __tablename__ = "tag_follows"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tags.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("account_id", "tag_id"),)


class FeaturedTag(Base):
    """A tag an account shows on its profile (Mastodon's featured tags); federated for local
    accounts as the actor's `featuredTags` collection."""

    __tablename__ = "featured_tags"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tags.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("account_id", "tag_id"), Index("ix_featured_tags_tag_id", "tag_id"))
