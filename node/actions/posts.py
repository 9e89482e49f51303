"""Writing a local post and the Create it sends, and the checks a local post's parts pass
(also when it is edited: node/actions/edits.py).

Every action writes its rows and queues its deliveries in the caller's transaction and never
commits: the caller commits once, so a post and its deliveries land together or not at all.
What a new post changes on this node (home feeds, mentions, notifications) is shared with
posts that arrive from other servers (node/actions/arrival.py).
"""

import re
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.delivery.queue import enqueue_delivery, follower_inboxes, inboxes_of
from activitypub.outbox import activities
from activitypub.outbox.note import MAX_IMAGES, addressing
from storage.errors import NotFound
from storage.models import Account, MediaAttachment, Post
from storage.repositories import accounts as account_repo
from storage.repositories import posts as post_repo
from storage.snowflake import new_id
from storage.states import PUBLIC_VISIBILITIES, QuotePolicy, QuoteState, Visibility
from storage.types import utcnow

from ..errors import ValidationError
from ..settings import Settings
from ..urls import Urls
from .arrival import post_arrived
from .common import get_post, load_note, note_of, original_of, parse_key, require_local_person
from .polls import PollSpec, add_poll
from .quotes import attach_quote, check_may_quote, checked_policy, request_quote
from .text import CHARACTERS_PER_URL, Formatted, counted_length, format_text, normalise
from .visibility import check_visible

VISIBILITIES = tuple(Visibility)
# The limits the instance documents advertise (node/api/instance.py reads them here): the
# text and the content warning together, counted as Mastodon counts them (text.counted_length).
MAX_CHARACTERS = 500
MAX_DESCRIPTION = 1500
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


# --- checks -----------------------------------------------------------------------

def checked_text(text: str | None, spoiler_text: str | None) -> tuple[str, str]:
    text, spoiler = normalise(text or ""), (spoiler_text or "").strip()
    length = counted_length(text) + len(spoiler)
    if length > MAX_CHARACTERS:
        raise ValidationError(f"the text and content warning are longer than {MAX_CHARACTERS} characters "
                              f"({length}, each link counted as {CHARACTERS_PER_URL})")
    return text, spoiler


def checked_language(language: str | None) -> str | None:
    if not language:
        return None
    if len(language) > 16 or not LANGUAGE.fullmatch(language):
        raise ValidationError(f"{language!r} is not a language code")
    return language


def _checked_visibility(visibility: str | None) -> str:
    visibility = visibility or Visibility.PUBLIC
    if visibility not in VISIBILITIES:
        raise ValidationError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    return visibility


async def claim_media(session: AsyncSession, author: Account, media_ids, post: Post | None = None
                      ) -> list[MediaAttachment]:
    """The author's own unattached uploads (or images already on `post`), in the order given
    (at most four)."""
    keys = [parse_key(media_id) for media_id in media_ids or []]
    if None in keys:
        raise ValidationError("media ids must be numbers")
    wanted = list(dict.fromkeys(keys))
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
    """The post replied to or quoted: one the author may see, and for a quote one whose
    policy lets the author quote it (FEP-044f)."""
    if post_id is None:
        return None
    post = await original_of(session, await get_post(session, post_id))
    if quote:
        await check_may_quote(session, author, post)
    else:
        await check_visible(session, author, post)
    return post


def remixed_post_id(media: list[MediaAttachment]) -> str | None:
    """The post a generated image remixes: posting the image quotes it."""
    for item in media:
        if isinstance(item.generation, dict) and item.generation.get("remix_of"):
            return item.generation["remix_of"]
    return None


# --- shared steps --------------------------------------------------------------------

def content_html(formatted: Formatted, quote_uri: str | None) -> str:
    """The post's HTML; a quote also gets Mastodon's inline `RE:` fallback for servers without
    FEP-044f (quote-aware servers hide the `quote-inline` paragraph)."""
    if not quote_uri:
        return formatted.html
    link = f'<a href="{escape(quote_uri)}">{escape(quote_uri)}</a>'
    return f'{formatted.html}<p class="quote-inline">RE: {link}</p>'


def address(post: Post, author: Account, mentions: list[Account]) -> None:
    post.to_uris, post.cc_uris = addressing(post.visibility, author.actor_uri, author.followers_uri,
                                            [account.actor_uri for account in mentions])


async def audience(session: AsyncSession, post: Post, author: Account, mentions: list[Account]) -> set[str]:
    """Inboxes a post's activities go to: mentioned remote actors, the remote followers unless
    the post is direct, the remote author of the post it answers unless it is limited, and the
    remote accounts that boosted or quoted it (their servers show it, so they hear of its
    edits and its deletion, as Mastodon's reach does)."""
    inboxes = inboxes_of(mentions)
    if post.visibility != Visibility.DIRECT:
        inboxes |= await follower_inboxes(session, author.id)
    if post.visibility in PUBLIC_VISIBILITIES and post.in_reply_to_account_id is not None:
        parent_author = await session.get(Account, post.in_reply_to_account_id)
        if parent_author is not None:
            inboxes |= inboxes_of([parent_author])
    if post.visibility in PUBLIC_VISIBILITIES:
        inboxes |= inboxes_of(await account_repo.list_remote_sharers(session, post.id))
    return inboxes


async def mentions_of(session: AsyncSession, post: Post) -> list[Account]:
    return (await post_repo.list_mentioned_accounts(session, [post.id])).get(post.id, [])


def own_local_post(account: Account, post: Post) -> None:
    # Someone else's post, or a remote one, is "not found" to this account (as on Mastodon).
    if not post.local or post.account_id != account.id or post.reblog_of_id is not None:
        raise NotFound(f"post {post.id} not found")


# --- create ------------------------------------------------------------------------

def _new_post(urls: Urls, author: Account, *, text: str, spoiler: str, sensitive: bool, visibility: str,
              language: str | None, generation: dict | None, quote_policy: str) -> Post:
    post_id = new_id()
    return Post(
        id=post_id, account_id=author.id, local=True, visibility=visibility,
        object_uri=urls.status(author.username, post_id), url=urls.status_page(author.username, post_id),
        source_text=text, spoiler_text=spoiler, sensitive=bool(sensitive or spoiler), language=language,
        generation=generation, created_at=utcnow(), quote_policy=quote_policy,
    )


async def _quote_policy(session: AsyncSession, author: Account, visibility: str, policy) -> QuotePolicy:
    """The post's own policy, else its author's default; a followers-only or direct post is
    quotable by nobody else, as Mastodon forces."""
    if visibility not in PUBLIC_VISIBILITIES:
        return QuotePolicy.NOBODY
    if policy not in (None, ""):
        return checked_policy(policy)
    user = await account_repo.get_user_by_account_id(session, author.id)
    return QuotePolicy(user.default_quote_policy) if user is not None else QuotePolicy.PUBLIC


def _link(post: Post, parent: Post | None, quoted: Post | None) -> None:
    if parent is not None:
        post.in_reply_to_uri, post.in_reply_to_id = parent.object_uri, parent.id
        post.in_reply_to_account_id = parent.account_id
    if quoted is not None:
        post.quote_of_uri, post.quote_of_id = quoted.object_uri, quoted.id


async def create_post(session: AsyncSession, settings: Settings, author: Account, *, text: str = "",
                      media_ids=(), visibility: str = "public", spoiler_text: str = "", sensitive: bool = False,
                      in_reply_to_id=None, language: str | None = None, quote_of_id=None,
                      generation: dict | None = None, quote_policy=None, poll: PollSpec | None = None) -> Post:
    """A new local post; its Create is queued for every remote inbox that should see it. A
    quote (`quote_of_id`, or an image generated as a remix of a post) asks for consent as
    node/actions/quotes.py says."""
    require_local_person(author)
    text, spoiler = checked_text(text, spoiler_text)
    visibility, language = _checked_visibility(visibility), checked_language(language)
    if generation is not None and not isinstance(generation, dict):
        raise ValidationError("generation must be an object")
    media = await claim_media(session, author, media_ids)
    if generation is None:
        # A generated image makes its post say so (prompt, generator, seed) on the wire too.
        generation = next((dict(item.generation) for item in media if isinstance(item.generation, dict)), None)
    if not text and not media:
        raise ValidationError("a post needs text or an image")
    if poll is not None and media:
        raise ValidationError("a post cannot have both images and a poll")
    parent = await _target(session, author, in_reply_to_id, quote=False)
    quoted = await _target(session, author, quote_of_id or remixed_post_id(media), quote=True)
    policy = await _quote_policy(session, author, visibility, quote_policy)
    urls = Urls(settings)
    formatted = await format_text(session, settings, text)
    post = _new_post(urls, author, text=text, spoiler=spoiler, sensitive=sensitive, visibility=visibility,
                     language=language, generation=generation, quote_policy=policy)
    _link(post, parent, quoted)
    post.content, post.tags = content_html(formatted, post.quote_of_uri), formatted.tags
    address(post, author, formatted.mentions)
    session.add(post)
    await session.flush()
    await post_repo.replace_media(session, post, media)
    await post_arrived(session, post, author, formatted.mentions)
    quote = await attach_quote(session, post, author, quoted) if quoted is not None else None
    poll_row = add_poll(session, post, poll) if poll is not None else None
    note = note_of(urls, post, author, media, formatted.mentions, quote, poll_row)
    inboxes = await audience(session, post, author, formatted.mentions)
    if quoted is not None and not quoted.local:
        # The quoted author's server hears of the quote even when its author does not follow.
        inboxes |= inboxes_of([await session.get(Account, quoted.account_id)])
    await enqueue_delivery(session, activities.create(author.actor_uri, note), author, inboxes)
    if quote is not None and quote.state == QuoteState.PENDING:
        await request_quote(session, quote, author, note)
    await session.flush()
    return post


async def post_note(session: AsyncSession, settings: Settings, post: Post, author: Account) -> dict:
    """The Note for a stored local post (what `/users/{name}/statuses/{id}` serves)."""
    return await load_note(session, Urls(settings), post, author)
