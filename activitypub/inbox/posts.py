"""Storing a remote post with its media, mentions, reply link and home-feed entries.

Shared by Create, Update and Announce (a boost of a post we have not seen yet stores it first).
"""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, MediaAttachment, Notification, Post
from storage.repositories import accounts as account_repo
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo

from .note_parse import attachment_values, mention_uris, note_to_post_values
from .registry import InboxContext


async def _local_mentions(session: AsyncSession, note: dict) -> set[int]:
    found = set()
    for uri in mention_uris(note):
        account = await account_repo.get_account_by_uri(session, uri)
        if account is not None and account.domain is None:
            found.add(account.id)
    return found


async def _link_reply(session: AsyncSession, post: Post) -> None:
    if not post.in_reply_to_uri:
        return
    parent = await post_repo.get_post_by_uri(session, post.in_reply_to_uri)
    if parent is not None:
        post.in_reply_to_id = parent.id
        post.in_reply_to_account_id = parent.account_id
        await post_repo.change_counter(session, parent.id, "replies_count", 1)


async def store_remote_post(ctx: InboxContext, session: AsyncSession, note: dict, author: Account) -> Post | None:
    """Insert the post unless it exists already or was deleted before it arrived."""
    values = note_to_post_values(note, author.actor_uri, author.followers_uri)
    if await post_repo.is_tombstoned(session, values["object_uri"]):
        return None
    existing = await post_repo.get_post_by_uri(session, values["object_uri"])
    if existing is not None:
        return existing
    post = Post(account_id=author.id, local=False, **values)
    if post.quote_of_uri:
        quoted = await post_repo.get_post_by_uri(session, post.quote_of_uri)
        post.quote_of_id = quoted.id if quoted else None
    session.add(post)
    await session.flush()
    await _link_reply(session, post)
    await post_repo.replace_media(session, post, [
        MediaAttachment(account_id=author.id, **row) for row in attachment_values(note)[:4]
    ])
    mentioned = await _local_mentions(session, note)
    await post_repo.put_mentions(session, post.id, mentioned)
    for account_id in mentioned:
        session.add(Notification(account_id=account_id, type="mention", from_account_id=author.id, post_id=post.id))
    readers = set(mentioned)
    if post.visibility != "direct":
        readers |= set(await follow_repo.get_local_follower_ids(session, author.id))
    await post_repo.add_to_home_feeds(session, post.id, readers)
    ctx.emit("post", post_id=post.id, home_account_ids=sorted(readers), visibility=post.visibility)
    return post


# Mastodon's `updated` has whole seconds, so two edits can carry the same time; both apply.
# Each applied edit still moves edited_at on by at least a microsecond, because rendered
# parts of a post are kept until edited_at changes (node.api.status_parts); the slack lets an
# Update with the held time through after such a nudge.
EDIT_STEP = timedelta(microseconds=1)
EDIT_SLACK = timedelta(milliseconds=1)


def _next_edit_time(held: datetime | None, updated: datetime) -> datetime:
    return updated if held is None or updated > held else held + EDIT_STEP


async def update_remote_post(ctx: InboxContext, session: AsyncSession, note: dict, author: Account) -> Post | None:
    values = note_to_post_values(note, author.actor_uri, author.followers_uri)
    post = await post_repo.get_post_by_uri(session, values["object_uri"])
    if post is None or post.account_id != author.id:
        return None
    from .note_parse import parse_time
    from storage.types import utcnow

    updated = parse_time(note.get("updated"))
    if updated is not None and post.edited_at is not None and updated < post.edited_at - EDIT_SLACK:
        # Older than the version held (it arrived late): ignored, as Mastodon ignores an
        # Update whose `updated` is before the status's edited_at.
        return post
    for key in ("content", "spoiler_text", "sensitive", "language", "tags", "generation", "quote_of_uri"):
        setattr(post, key, values[key])
    post.edited_at = _next_edit_time(post.edited_at, updated or utcnow())
    await post_repo.replace_media(session, post, [
        MediaAttachment(account_id=author.id, **row) for row in attachment_values(note)[:4]
    ])
    ctx.emit("post.update", post_id=post.id)
    return post
