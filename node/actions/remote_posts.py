"""Storing a post that another server sent (a Create, a boosted post fetched from its
origin, a search result): its row, reply and quote links and images, then the same arrival
as a local post (node/actions/arrival.py) and, for a quote, the same consent rules
(node/actions/quotes.py). Nothing here commits."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.note_parse import RemoteNote
from storage.models import Account, MediaAttachment, Post
from storage.repositories import posts as post_repo

from ..errors import ValidationError
from ..settings import Settings
from .arrival import post_arrived
from .edits import MAX_REMOTE_IMAGES, local_mentions
from .quotes import attach_quote


async def receive_post(session: AsyncSession, settings: Settings, author: Account, note: RemoteNote, *,
                       verified_authorization: str | None = None) -> Post | None:
    """Store the post unless it is held already (that copy is returned) or was deleted
    before it arrived (None). A quote whose QuoteAuthorization the caller fetched and checked
    passes it as `verified_authorization`."""
    if author.domain is None:
        raise ValidationError("a local account's posts are written here, not received")
    if await post_repo.is_tombstoned(session, note.object_uri):
        return None
    existing = await post_repo.get_post_by_uri(session, note.object_uri)
    if existing is not None:
        return existing
    post = Post(account_id=author.id, local=False, **note.fields)
    parent = await post_repo.get_post_by_uri(session, post.in_reply_to_uri) if post.in_reply_to_uri else None
    if parent is not None:
        post.in_reply_to_id, post.in_reply_to_account_id = parent.id, parent.account_id
    quoted = await post_repo.get_post_by_uri(session, post.quote_of_uri) if post.quote_of_uri else None
    post.quote_of_id = quoted.id if quoted is not None else None
    session.add(post)
    await session.flush()
    await post_repo.replace_media(session, post, [
        MediaAttachment(account_id=author.id, **row) for row in note.attachments[:MAX_REMOTE_IMAGES]
    ])
    await post_arrived(session, post, author, await local_mentions(session, note))
    if post.quote_of_uri:
        await attach_quote(session, post, author, quoted, verified_authorization=verified_authorization)
    return post
