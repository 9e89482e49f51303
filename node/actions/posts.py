"""Writing, editing and deleting a local post, with the Create, Update or Delete it sends.

Every action writes its rows and queues its deliveries in the caller's transaction and never
commits: the caller commits once, so a post and its deliveries land together or not at all.
"""

import re
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.delivery.queue import enqueue_delivery, follower_inboxes, inboxes_of
from activitypub.outbox import activities
from activitypub.outbox.note import MAX_IMAGES, addressing
from storage.errors import NotFound
from storage.models import Account, MediaAttachment, Post
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo
from storage.snowflake import new_id
from storage.types import utcnow

from ..errors import ValidationError
from ..settings import Settings
from ..urls import Urls
from .common import (PUBLIC_VISIBILITIES, check_visible, get_post, in_session, load_note, note_of, notify,
                     original_of, require_local_person)
from .text import Formatted, format_text, normalise

VISIBILITIES = ("public", "unlisted", "private", "direct")
MAX_TEXT = 5000
MAX_SPOILER = 1000
MAX_DESCRIPTION = 1500
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


# --- checks -----------------------------------------------------------------------

def _checked_text(text: str | None, spoiler_text: str | None) -> tuple[str, str]:
    text, spoiler = normalise(text or ""), (spoiler_text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"the text is longer than {MAX_TEXT} characters")
    if len(spoiler) > MAX_SPOILER:
        raise ValidationError(f"the content warning is longer than {MAX_SPOILER} characters")
    return text, spoiler


def _checked_language(language: str | None) -> str | None:
    if not language:
        return None
    if len(language) > 16 or not LANGUAGE.fullmatch(language):
        raise ValidationError(f"{language!r} is not a language code")
    return language


def _checked_visibility(visibility: str | None) -> str:
    visibility = visibility or "public"
    if visibility not in VISIBILITIES:
        raise ValidationError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    return visibility


async def claim_media(session: AsyncSession, author: Account, media_ids, post: Post | None = None
                      ) -> list[MediaAttachment]:
    """The author's own unattached uploads (or images already on `post`), in the order given
    (at most four)."""
    try:
        wanted = list(dict.fromkeys(int(media_id) for media_id in media_ids or []))
    except (TypeError, ValueError):
        raise ValidationError("media ids must be numbers") from None
    if len(wanted) > MAX_IMAGES:
        raise ValidationError(f"a post can have at most {MAX_IMAGES} images")
    found = {item.id: item for item in await post_repo.get_media_by_ids(session, wanted)}
    for media_id in wanted:
        item = found.get(media_id)
        if item is None or item.account_id != author.id:
            raise ValidationError(f"media {media_id} not found")
        if item.post_id is not None and (post is None or item.post_id != post.id):
            raise ValidationError(f"media {media_id} is already attached to a post")
    return [found[media_id] for media_id in wanted]


async def _target(session: AsyncSession, author: Account, post_id, *, quote: bool) -> Post | None:
    if post_id is None:
        return None
    post = await original_of(session, await get_post(session, post_id))
    await check_visible(session, author, post)
    # FEP-044f: only posts whose policy lets everyone quote can be quoted without asking.
    if quote and post.visibility not in PUBLIC_VISIBILITIES and post.account_id != author.id:
        raise ValidationError("this post cannot be quoted")
    return post


# --- shared steps --------------------------------------------------------------------

def _content(formatted: Formatted, quote_uri: str | None) -> str:
    """The post's HTML; a quote also gets Mastodon's inline `RE:` fallback for servers without
    FEP-044f (quote-aware servers hide the `quote-inline` paragraph)."""
    if not quote_uri:
        return formatted.html
    link = f'<a href="{escape(quote_uri)}">{escape(quote_uri)}</a>'
    return f'{formatted.html}<p class="quote-inline">RE: {link}</p>'


def _address(post: Post, author: Account, mentions: list[Account]) -> None:
    post.to_uris, post.cc_uris = addressing(post.visibility, author.actor_uri, author.followers_uri,
                                            [account.actor_uri for account in mentions])


async def _audience(session: AsyncSession, post: Post, author: Account, mentions: list[Account]) -> set[str]:
    """Inboxes a post's activities go to: mentioned remote actors, the remote followers unless
    the post is direct, and the remote author of the post it answers unless it is limited."""
    inboxes = inboxes_of(mentions)
    if post.visibility != "direct":
        inboxes |= await follower_inboxes(session, author.id)
    if post.visibility in PUBLIC_VISIBILITIES and post.in_reply_to_account_id is not None:
        parent_author = await session.get(Account, post.in_reply_to_account_id)
        if parent_author is not None:
            inboxes |= inboxes_of([parent_author])
    return inboxes


async def _mentions_of(session: AsyncSession, post: Post) -> list[Account]:
    return (await post_repo.list_mentioned_accounts(session, [post.id])).get(post.id, [])


def _own_local_post(account: Account, post: Post) -> None:
    # Someone else's post, or a remote one, is "not found" to this account (as on Mastodon).
    if not post.local or post.account_id != account.id or post.reblog_of_id is not None:
        raise NotFound(f"post {post.id} not found")


# --- create ------------------------------------------------------------------------

def _new_post(urls: Urls, author: Account, *, text: str, spoiler: str, sensitive: bool, visibility: str,
              language: str | None, generation: dict | None) -> Post:
    post_id = new_id()
    return Post(
        id=post_id, account_id=author.id, local=True, visibility=visibility,
        object_uri=urls.status(author.username, post_id), url=urls.status_page(author.username, post_id),
        source_text=text, spoiler_text=spoiler, sensitive=bool(sensitive or spoiler), language=language,
        generation=generation, created_at=utcnow(),
    )


def _link(post: Post, parent: Post | None, quoted: Post | None) -> None:
    if parent is not None:
        post.in_reply_to_uri, post.in_reply_to_id = parent.object_uri, parent.id
        post.in_reply_to_account_id = parent.account_id
    if quoted is not None:
        post.quote_of_uri, post.quote_of_id = quoted.object_uri, quoted.id


async def _surface(session: AsyncSession, post: Post, author: Account, mentions: list[Account],
                   quoted: Post | None) -> None:
    """Home feeds and notifications on this node: the author, the local followers (unless the
    post is direct) and every mentioned local account."""
    readers = {author.id} | {account.id for account in mentions if account.domain is None}
    if post.visibility != "direct":
        readers |= set(await follow_repo.get_local_follower_ids(session, author.id))
    await post_repo.add_to_home_feeds(session, post.id, readers)
    for account in mentions:
        notify(session, account, author, "mention", post)
    if quoted is not None and quoted.local:
        quoted_author = await session.get(Account, quoted.account_id)
        if quoted_author is not None and all(quoted_author.id != account.id for account in mentions):
            notify(session, quoted_author, author, "quote", post)


async def create_post(session: AsyncSession, settings: Settings, author: Account, *, text: str = "",
                      media_ids=(), visibility: str = "public", spoiler_text: str = "", sensitive: bool = False,
                      in_reply_to_id=None, language: str | None = None, quote_of_id=None,
                      generation: dict | None = None) -> Post:
    """A new local post; its Create is queued for every remote inbox that should see it."""
    require_local_person(author)
    text, spoiler = _checked_text(text, spoiler_text)
    visibility, language = _checked_visibility(visibility), _checked_language(language)
    if generation is not None and not isinstance(generation, dict):
        raise ValidationError("generation must be an object")
    media = await claim_media(session, author, media_ids)
    if generation is None:
        # A generated image makes its post say so (prompt, generator, seed) on the wire too.
        generation = next((dict(item.generation) for item in media if isinstance(item.generation, dict)), None)
    if not text and not media:
        raise ValidationError("a post needs text or an image")
    parent = await _target(session, author, in_reply_to_id, quote=False)
    quoted = await _target(session, author, quote_of_id, quote=True)
    urls = Urls(settings)
    formatted = await format_text(session, settings, text)
    post = _new_post(urls, author, text=text, spoiler=spoiler, sensitive=sensitive, visibility=visibility,
                     language=language, generation=generation)
    _link(post, parent, quoted)
    post.content, post.tags = _content(formatted, post.quote_of_uri), formatted.tags
    _address(post, author, formatted.mentions)
    session.add(post)
    await session.flush()
    await post_repo.replace_media(session, post, media)
    await post_repo.put_mentions(session, post.id, {account.id for account in formatted.mentions})
    if parent is not None:
        await post_repo.change_counter(session, parent.id, "replies_count", 1)
    await _surface(session, post, author, formatted.mentions, quoted)
    create = activities.create(author.actor_uri, note_of(urls, post, author, media, formatted.mentions))
    await enqueue_delivery(session, create, author, await _audience(session, post, author, formatted.mentions))
    await session.flush()
    return post


# --- update ------------------------------------------------------------------------

async def _describe(session: AsyncSession, post: Post, descriptions: dict | None) -> list[MediaAttachment]:
    media = (await post_repo.list_media(session, [post.id])).get(post.id, [])
    by_id = {item.id: item for item in media}
    for media_id, description in (descriptions or {}).items():
        item = by_id.get(int(media_id))
        if item is None:
            raise ValidationError(f"media {media_id} is not part of this post")
        if len(description or "") > MAX_DESCRIPTION:
            raise ValidationError(f"an image description is longer than {MAX_DESCRIPTION} characters")
        item.description = (description or "").strip()
    return media


async def _retext(session: AsyncSession, settings: Settings, post: Post, author: Account,
                  text: str) -> list[Account]:
    """New content, tags and mentions; newly mentioned local accounts are notified."""
    before = {account.id for account in await _mentions_of(session, post)}
    formatted = await format_text(session, settings, text)
    post.source_text, post.tags = text, formatted.tags
    post.content = _content(formatted, post.quote_of_uri)
    await post_repo.put_mentions(session, post.id, {account.id for account in formatted.mentions})
    for account in formatted.mentions:
        if account.id not in before:
            notify(session, account, author, "mention", post)
    return formatted.mentions


async def update_post(session: AsyncSession, settings: Settings, account: Account, post: Post, *,
                      text: str | None = None, spoiler_text: str | None = None, sensitive: bool | None = None,
                      language: str | None = None, media_descriptions: dict | None = None) -> Post:
    """Edit a local post (None leaves a field as it is) and queue its Update."""
    post = await in_session(session, post)
    _own_local_post(account, post)
    new_text, spoiler = _checked_text(text if text is not None else post.source_text, spoiler_text)
    old_mentions = await _mentions_of(session, post)
    media = await _describe(session, post, media_descriptions)
    if not new_text and not media:
        raise ValidationError("a post needs text or an image")
    mentions = old_mentions
    if text is not None:
        mentions = await _retext(session, settings, post, account, new_text)
    if spoiler_text is not None:
        post.spoiler_text = spoiler
    if sensitive is not None:
        post.sensitive = bool(sensitive)
    # As on Mastodon, a content warning always makes the post sensitive.
    post.sensitive = bool(post.sensitive or post.spoiler_text)
    if language is not None:
        post.language = _checked_language(language)
    _address(post, account, mentions)
    post.edited_at = utcnow()
    await session.flush()
    note = note_of(Urls(settings), post, account, media, mentions)
    update = activities.update(account.actor_uri, note, f"{post.object_uri}#updates/{new_id()}")
    inboxes = await _audience(session, post, account, mentions) | inboxes_of(old_mentions)
    await enqueue_delivery(session, update, account, inboxes)
    return post


# --- delete ------------------------------------------------------------------------

async def delete_post(session: AsyncSession, settings: Settings, account: Account, post: Post) -> None:
    """Delete a local post (or undo a boost given as its row) and queue a Delete{Tombstone}."""
    if post.reblog_of_id is not None and post.account_id == account.id:
        from .reactions import unboost

        await unboost(session, settings, account, post)
        return
    post = await in_session(session, post)
    _own_local_post(account, post)
    mentions = await _mentions_of(session, post)
    inboxes = await _audience(session, post, account, mentions)
    to, cc = post.to_uris, post.cc_uris
    if not to and not cc:
        to, cc = addressing(post.visibility, account.actor_uri, account.followers_uri,
                            [item.actor_uri for item in mentions])
    delete = activities.delete_object(account.actor_uri, post.object_uri, list(to), list(cc))
    # Remember the deletion, so a stale copy arriving later cannot bring the post back.
    await post_repo.put_tombstone(session, post.object_uri)
    await post_repo.delete_post(session, post)
    await enqueue_delivery(session, delete, account, inboxes)
    await session.flush()


async def post_note(session: AsyncSession, settings: Settings, post: Post, author: Account) -> dict:
    """The Note for a stored local post (what `/users/{name}/statuses/{id}` serves)."""
    return await load_note(session, Urls(settings), post, author)
