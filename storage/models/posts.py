"""Posts (local and remote, boosts included), their media, mentions, quotes, and remembered
deletions."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..snowflake import new_id
from ..states import QuotePolicy, QuoteState, Visibility
from ..types import UTCDateTime, utcnow
from .base import Base

URI = String(2048)


class Post(Base):
    """A status. A boost is its own row with `reblog_of_id` set and `object_uri` the Announce id."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    object_uri: Mapped[str] = mapped_column(URI, unique=True)
    url: Mapped[str | None] = mapped_column(URI, default=None)
    local: Mapped[bool] = mapped_column(Boolean, default=False)
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLIC)
    content: Mapped[str] = mapped_column(Text, default="")
    source_text: Mapped[str | None] = mapped_column(Text, default=None)
    spoiler_text: Mapped[str] = mapped_column(Text, default="")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    in_reply_to_uri: Mapped[str | None] = mapped_column(URI, default=None)
    in_reply_to_id: Mapped[int | None] = mapped_column(BigInteger, default=None, index=True)
    in_reply_to_account_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    reblog_of_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), default=None, index=True
    )
    # What the post quotes (remixes): its IRI stays even when the quoted post is gone.
    quote_of_uri: Mapped[str | None] = mapped_column(URI, default=None)
    quote_of_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # Who may quote this post without asking (FEP-044f `canQuote`, read from a remote Note).
    quote_policy: Mapped[str] = mapped_column(String(16), default=QuotePolicy.PUBLIC)
    to_uris: Mapped[list] = mapped_column(JSON, default=list)
    cc_uris: Mapped[list] = mapped_column(JSON, default=list)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    generation: Mapped[dict | None] = mapped_column(JSON, default=None)
    favourites_count: Mapped[int] = mapped_column(Integer, default=0)
    reblogs_count: Mapped[int] = mapped_column(Integer, default=0)
    replies_count: Mapped[int] = mapped_column(Integer, default=0)
    quotes_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        Index("ix_posts_account_id_id", "account_id", "id"),
        # statuses_count on every rendered author counts posts by visibility: read from the index alone.
        Index("ix_posts_account_id_visibility", "account_id", "visibility"),
    )


class MediaAttachment(Base):
    """An image: a local file (by content hash) or a remote URL, with alt text and blurhash."""

    __tablename__ = "media_attachments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), default=None, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    media_type: Mapped[str] = mapped_column(String(64), default="image/png")
    # Indexed (migration 0009): serving a file asks whether its owner is suspended.
    file_path: Mapped[str | None] = mapped_column(URI, default=None, index=True)
    preview_path: Mapped[str | None] = mapped_column(URI, default=None, index=True)
    remote_url: Mapped[str | None] = mapped_column(URI, default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    blurhash: Mapped[str | None] = mapped_column(String(128), default=None)
    width: Mapped[int | None] = mapped_column(Integer, default=None)
    height: Mapped[int | None] = mapped_column(Integer, default=None)
    focus_x: Mapped[float] = mapped_column(Float, default=0.0)
    focus_y: Mapped[float] = mapped_column(Float, default=0.0)
    sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    generation: Mapped[dict | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Mention(Base):
    __tablename__ = "mentions"

    post_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Quote(Base):
    """A post quoting another and where its consent stands (FEP-044f).

    `request_uri` is the QuoteRequest that asked (ours or a peer's); `authorization_uri` the
    QuoteAuthorization that granted it: on the quoted author's server, which for a post of
    ours is served at /users/{name}/quote_authorizations/{id}. `quoted_post_id` has no
    foreign key: a deleted source leaves the quote standing, shown as deleted.
    """

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    post_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    account_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"))
    quoted_post_id: Mapped[int | None] = mapped_column(BigInteger, default=None, index=True)
    quoted_account_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    state: Mapped[str] = mapped_column(String(16), default=QuoteState.PENDING)
    request_uri: Mapped[str | None] = mapped_column(URI, default=None, index=True)
    authorization_uri: Mapped[str | None] = mapped_column(URI, default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Tombstone(Base):
    """An object or actor URI deleted by its server; a Create that arrives later is ignored."""

    __tablename__ = "tombstones"

    uri: Mapped[str] = mapped_column(URI, primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
