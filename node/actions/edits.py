"""Editing a post, by its local author through the client API or by a remote author whose
Update arrives in the inbox: the new version, its images and mentions, the edit history, and
(for a local post) the Update it sends.

Every version is kept: at the first edit the original is stored as version one, and each
edit adds the version it produced (`/api/v1/statuses/:id/history`). Accounts an edit newly
mentions are notified; the ones mentioned before are not notified again. Nothing here commits.
"""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.delivery.queue import enqueue_delivery, inboxes_of
from activitypub.inbox.note_parse import RemoteNote
from activitypub.outbox import activities
from storage.models import Account, MediaAttachment, Post
from storage.repositories import accounts as account_repo
from storage.repositories import posts as post_repo
from storage.repositories import post_edits as edit_repo
from storage.repositories import polls as poll_repo
from storage.repositories import quotes as quote_repo
from storage.snowflake import new_id
from storage.states import PUBLIC_VISIBILITIES, QuotePolicy
from storage.types import utcnow

from ..errors import ValidationError
from ..settings import Settings
from ..urls import Urls
from .arrival import mention
from .common import in_session, note_of
from .posts import (MAX_DESCRIPTION, address, audience, checked_language, checked_text, claim_media, content_html,
                    mentions_of, own_local_post)
from .quotes import attach_quote, checked_policy, source_edited
from .text import format_text

MAX_REMOTE_IMAGES = 4


async def _media_of(session: AsyncSession, post: Post) -> list[MediaAttachment]:
    return (await post_repo.list_media(session, [post.id])).get(post.id, [])


async def _remember_original(session: AsyncSession, post: Post) -> None:
    """Before a post's first edit, its original becomes version one of its history."""
    if not await edit_repo.list_post_edits(session, post.id):
        edit_repo.put_post_edit(session, post, await _media_of(session, post), post.created_at)


async def _remember_version(session: AsyncSession, post: Post) -> None:
    await session.flush()
    edit_repo.put_post_edit(session, post, await _media_of(session, post), post.edited_at)


# --- local edits ----------------------------------------------------------------------------

async def _replace_media(session: AsyncSession, account: Account, post: Post, media_ids) -> None:
    """Make `media_ids` the post's images, in order: new ones must be the author's unattached
    uploads; dropped ones go back to being unattached (older versions still show them)."""
    claimed = await claim_media(session, account, media_ids, post)
    found = {item.id for item in claimed}
    for item in await _media_of(session, post):
        if item.id not in found:
            item.post_id = None
    for position, item in enumerate(claimed):
        item.post_id, item.position = post.id, position
    await session.flush()


async def _describe(session: AsyncSession, post: Post, descriptions: dict | None) -> list[MediaAttachment]:
    media = await _media_of(session, post)
    by_id = {str(item.id): item for item in media}
    for media_id, description in (descriptions or {}).items():
        item = by_id.get(str(media_id).strip())
        if item is None:
            raise ValidationError(f"media {media_id} is not part of this post")
        if len(description or "") > MAX_DESCRIPTION:
            raise ValidationError(f"an image description is longer than {MAX_DESCRIPTION} characters")
        item.description = (description or "").strip()
    return media


async def _retext(session: AsyncSession, settings: Settings, post: Post, author: Account,
                  text: str) -> list[Account]:
    """New content, tags and mentions."""
    before = {account.id for account in await mentions_of(session, post)}
    formatted = await format_text(session, settings, text)
    post.source_text, post.tags = text, formatted.tags
    post.content = content_html(formatted, post.quote_of_uri)
    await mention(session, post, author, formatted.mentions, before=before)
    return formatted.mentions


def _restyle(post: Post, spoiler_text: str | None, spoiler: str, sensitive: bool | None,
             language: str | None) -> None:
    if spoiler_text is not None:
        post.spoiler_text = spoiler
    if sensitive is not None:
        post.sensitive = bool(sensitive)
    # As on Mastodon, a content warning always makes the post sensitive.
    post.sensitive = bool(post.sensitive or post.spoiler_text)
    if language is not None:
        post.language = checked_language(language)


async def update_post(session: AsyncSession, settings: Settings, account: Account, post: Post, *,
                      text: str | None = None, spoiler_text: str | None = None, sensitive: bool | None = None,
                      language: str | None = None, media_ids=None, media_descriptions: dict | None = None,
                      quote_policy=None) -> Post:
    """Edit a local post (None leaves a field as it is; `media_ids` is the whole new list of
    images; `quote_policy` who may quote it from now on), keep the version, and queue its Update."""
    post = await in_session(session, post)
    own_local_post(account, post)
    new_text, spoiler = checked_text(text if text is not None else post.source_text, spoiler_text)
    await _remember_original(session, post)
    old_mentions = await mentions_of(session, post)
    if media_ids is not None:
        await _replace_media(session, account, post, media_ids)
    media = await _describe(session, post, media_descriptions)
    if not new_text and not media:
        raise ValidationError("a post needs text or an image")
    mentions = await _retext(session, settings, post, account, new_text) if text is not None else old_mentions
    _restyle(post, spoiler_text, spoiler, sensitive, language)
    if quote_policy not in (None, ""):
        post.quote_policy = checked_policy(quote_policy) if post.visibility in PUBLIC_VISIBILITIES else QuotePolicy.NOBODY
    address(post, account, mentions)
    post.edited_at = utcnow()
    await _remember_version(session, post)
    await source_edited(session, post, account)
    quote = await quote_repo.get_quote_by_post_id(session, post.id) if post.quote_of_uri else None
    note = note_of(Urls(settings), post, account, media, mentions, quote,
                   await poll_repo.get_poll_by_post_id(session, post.id))
    update = activities.update(account.actor_uri, note, f"{post.object_uri}#updates/{new_id()}")
    inboxes = await audience(session, post, account, mentions) | inboxes_of(old_mentions)
    await enqueue_delivery(session, update, account, inboxes)
    return post


async def set_quote_policy(session: AsyncSession, settings: Settings, account: Account, post: Post,
                           policy) -> Post:
    """Change who may quote a local post from now on (quotes already accepted stand); its
    Update carries the new `canQuote`. Not an edit: no new version, no `edited_at`."""
    post = await in_session(session, post)
    own_local_post(account, post)
    post.quote_policy = checked_policy(policy) if post.visibility in PUBLIC_VISIBILITIES else QuotePolicy.NOBODY
    await session.flush()
    mentions = await mentions_of(session, post)
    quote = await quote_repo.get_quote_by_post_id(session, post.id) if post.quote_of_uri else None
    note = note_of(Urls(settings), post, account, await _media_of(session, post), mentions, quote,
                   await poll_repo.get_poll_by_post_id(session, post.id))
    update = activities.update(account.actor_uri, note, f"{post.object_uri}#updates/{new_id()}")
    await enqueue_delivery(session, update, account, await audience(session, post, account, mentions))
    return post


async def announce_quote_authorized(session: AsyncSession, settings: Settings, post: Post) -> None:
    """A local quote was just authorized: an Update carrying its `quoteAuthorization` tells
    everyone the post reached (as Mastodon does). Not an edit: no version, no `edited_at`."""
    author = await session.get(Account, post.account_id)
    mentions = await mentions_of(session, post)
    quote = await quote_repo.get_quote_by_post_id(session, post.id)
    note = note_of(Urls(settings), post, author, await _media_of(session, post), mentions, quote,
                   await poll_repo.get_poll_by_post_id(session, post.id))
    update = activities.update(author.actor_uri, note, f"{post.object_uri}#updates/{new_id()}")
    inboxes = await audience(session, post, author, mentions)
    quoted_author = await session.get(Account, quote.quoted_account_id) if quote.quoted_account_id else None
    if quoted_author is not None:
        inboxes |= inboxes_of([quoted_author])
    await enqueue_delivery(session, update, author, inboxes)


# --- remote edits ---------------------------------------------------------------------------

# Mastodon's `updated` has whole seconds, so two edits can carry the same time; both apply.
# Each applied edit still moves edited_at on by at least a microsecond, because rendered
# parts of a post are kept until edited_at changes (node.api.status_parts); the slack lets an
# Update with the held time through after such a nudge.
EDIT_STEP = timedelta(microseconds=1)
EDIT_SLACK = timedelta(milliseconds=1)
EDITABLE = ("content", "spoiler_text", "sensitive", "language", "tags", "generation", "quote_of_uri")


def _next_edit_time(held: datetime | None, updated: datetime) -> datetime:
    return updated if held is None or updated > held else held + EDIT_STEP


async def local_mentions(session: AsyncSession, note: RemoteNote) -> list[Account]:
    """The accounts of this node that a remote post mentions."""
    return (await local_mentions_of(session, [note]))(note)


async def local_mentions_of(session: AsyncSession, notes: list[RemoteNote]):
    """For several remote posts, one query: a function from a post to the accounts of this
    node it mentions (each once, in the order it names them)."""
    known = await account_repo.get_accounts_by_uris(session, [uri for note in notes for uri in note.mention_uris])

    def mentioned(note: RemoteNote) -> list[Account]:
        found = {}
        for uri in note.mention_uris:
            account = known.get(uri)
            if account is not None and account.domain is None:
                found[account.id] = account
        return list(found.values())

    return mentioned


async def _unchanged(session: AsyncSession, post: Post, note: RemoteNote) -> bool:
    """An Update that changes nothing a reader sees (Mastodon sends one when a quote of the
    post is authorized) is not an edit: no new version, no `edited_at`."""
    if any(getattr(post, key) != note.fields[key] for key in (*EDITABLE, "quote_policy")):
        return False
    held = [(item.remote_url, item.description or "") for item in await _media_of(session, post)]
    return held == [(row["remote_url"], row["description"] or "") for row in note.attachments[:MAX_REMOTE_IMAGES]]


async def receive_edit(session: AsyncSession, settings: Settings, author: Account, note: RemoteNote, *,
                       verified_authorization: str | None = None) -> Post | None:
    """Apply a remote author's edit of their post; None when the post is unknown here (or
    not theirs). An edit older than the version held arrived late and is ignored, as
    Mastodon ignores an Update whose `updated` is before the status's edited_at. A quote's
    authorization that the caller fetched and checked arrives as `verified_authorization`."""
    post = await post_repo.get_post_by_uri(session, note.object_uri)
    if post is None or post.account_id != author.id or post.local:
        return None
    if note.updated is not None and post.edited_at is not None and note.updated < post.edited_at - EDIT_SLACK:
        return post
    if post.quote_of_uri and verified_authorization:
        quoted = await post_repo.get_post_by_uri(session, post.quote_of_uri)
        await attach_quote(session, post, author, quoted, verified_authorization=verified_authorization)
    if await _unchanged(session, post, note):
        return post
    post.quote_policy = note.fields["quote_policy"]
    await _remember_original(session, post)
    before = {account.id for account in await mentions_of(session, post)}
    for key in EDITABLE:
        setattr(post, key, note.fields[key])
    post.edited_at = _next_edit_time(post.edited_at, note.updated or utcnow())
    await post_repo.replace_media(session, post, [
        MediaAttachment(account_id=author.id, **row) for row in note.attachments[:MAX_REMOTE_IMAGES]
    ])
    await mention(session, post, author, await local_mentions(session, note), before=before)
    await _remember_version(session, post)
    await source_edited(session, post, author)
    return post
