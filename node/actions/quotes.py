"""Quotes (remixes) and the consent behind them (FEP-044f, as Mastodon 4.5 does it), for
local and remote posts alike.

Every post states who may quote it without asking (`quote_policy`: everyone, followers, or
nobody but its author). A quote of a post on this node is decided here at once: allowed, it
is accepted with a QuoteAuthorization this node serves; refused, it is rejected. A local
post quoting another server's post starts pending and sends a QuoteRequest; the Accept
that answers brings the authorization, and an Update tells everyone the post reached. The
quoted author may revoke an accepted quote later (a Delete of the authorization), and a
deleted source leaves its quotes standing, shown as deleted. Nothing here commits.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.delivery.queue import enqueue_delivery, follower_inboxes, inboxes_of
from activitypub.outbox import activities
from storage.errors import NotFound
from storage.models import Account, Post, Quote
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo
from storage.repositories import quotes as quote_repo
from storage.states import PUBLIC_VISIBILITIES, FollowState, NotificationType, QuotePolicy, QuoteState
from storage.types import utcnow

from ..errors import ValidationError
from .common import personal_inbox
from .notify import notify
from .visibility import check_visible


# --- the rule ----------------------------------------------------------------------------------

def allowed_by_policy(quoted: Post, account_id: int, follows_author: bool) -> bool:
    """The rule itself: its author may always quote a post; nobody else may quote a boost, a
    followers-only or a direct post; otherwise its policy decides (`followers`: those who
    follow its author)."""
    if quoted.account_id == account_id:
        return True
    if quoted.reblog_of_id is not None or quoted.visibility not in PUBLIC_VISIBILITIES:
        return False
    return quoted.quote_policy == QuotePolicy.PUBLIC or (quoted.quote_policy == QuotePolicy.FOLLOWERS
                                                         and follows_author)


async def may_quote(session: AsyncSession, quoted: Post, account: Account) -> bool:
    """Whether `quoted`'s policy lets `account` quote it without asking."""
    follows_author = False
    if quoted.quote_policy == QuotePolicy.FOLLOWERS and quoted.account_id != account.id:
        follow = await follow_repo.get_follow(session, account.id, quoted.account_id)
        follows_author = follow is not None and follow.state == FollowState.ACCEPTED
    return allowed_by_policy(quoted, account.id, follows_author)


async def check_may_quote(session: AsyncSession, account: Account, quoted: Post) -> None:
    """NotFound unless the account may see the post; ValidationError unless it may quote it.
    Asked before a remix is generated, so a refused remix costs no image."""
    await check_visible(session, account, quoted)
    if not await may_quote(session, quoted, account):
        raise ValidationError("the author of this post does not allow you to remix or quote it")


def checked_policy(policy) -> QuotePolicy:
    try:
        return QuotePolicy(policy)
    except ValueError:
        raise ValidationError("quote_approval_policy must be one of public, followers, nobody") from None


def authorization_uri(quoted_author: Account, quote: Quote) -> str:
    """Where this node serves its consent to a quote of one of its users' posts."""
    return f"{quoted_author.actor_uri}/quote_authorizations/{quote.id}"


def authorization_of(quote: Quote, quoting: Post, quoted: Post, quoted_author: Account) -> dict:
    return activities.quote_authorization(quote.authorization_uri, quoted_author.actor_uri,
                                          quoting.object_uri, quoted.object_uri)


# --- state changes -----------------------------------------------------------------------------

async def _accept(session: AsyncSession, quote: Quote, post: Post, author: Account, quoted: Post,
                  quoted_author: Account, granted_uri: str | None = None) -> None:
    """The quote stands: counted on the source, its local author told."""
    if quote.state == QuoteState.ACCEPTED:
        return
    quote.state, quote.updated_at = QuoteState.ACCEPTED, utcnow()
    quote.authorization_uri = granted_uri or authorization_uri(quoted_author, quote)
    await post_repo.change_counter(session, quoted.id, "quotes_count", 1)
    notify(session, quoted_author, author, NotificationType.QUOTE, post)


async def _withdraw(session: AsyncSession, quote: Quote, state: QuoteState) -> None:
    """Rejected or revoked: a quote that was counted is counted no more."""
    if quote.state == QuoteState.ACCEPTED and quote.quoted_post_id is not None:
        await post_repo.change_counter(session, quote.quoted_post_id, "quotes_count", -1)
    quote.state, quote.updated_at = state, utcnow()


async def attach_quote(session: AsyncSession, post: Post, author: Account, quoted: Post | None,
                       *, verified_authorization: str | None = None) -> Quote:
    """The Quote row of a new post (local or remote) that quotes `quoted` (None: a post this
    node does not know). A self-quote, an allowed quote of a local post by a local user, and a
    remote quote of a remote post whose QuoteAuthorization was fetched and checked are
    accepted at once; every other quote waits (for the QuoteRequest this node sends or
    receives, or the Update that brings an authorization)."""
    quote = await quote_repo.get_quote_by_post_id(session, post.id)
    if quote is None:
        quote = Quote(post_id=post.id, account_id=author.id, state=QuoteState.PENDING,
                      quoted_post_id=quoted.id if quoted else None,
                      quoted_account_id=quoted.account_id if quoted else None)
        session.add(quote)
        await session.flush()
    if quoted is None:
        return quote
    quoted_author = await session.get(Account, quoted.account_id)
    if quoted.account_id == author.id:
        await _accept(session, quote, post, author, quoted, quoted_author)
    elif quoted.local and author.domain is None and await may_quote(session, quoted, author):
        await _accept(session, quote, post, author, quoted, quoted_author)
    elif verified_authorization and not quoted.local:
        await _accept(session, quote, post, author, quoted, quoted_author, verified_authorization)
    return quote


async def source_removed(session: AsyncSession, post: Post) -> None:
    """Before a post is removed: its own quote stops counting on its source, and the quotes
    of it stay, shown as quoting a deleted post."""
    own = await quote_repo.get_quote_by_post_id(session, post.id)
    if own is not None:
        await _withdraw(session, own, QuoteState.DELETED)
    await quote_repo.mark_source_deleted(session, post.id)


async def source_edited(session: AsyncSession, post: Post, author: Account) -> None:
    """The local authors of accepted quotes of an edited post are told (Mastodon's `quoted_update`)."""
    for quote in await quote_repo.list_accepted_quotes_of(session, post.id):
        quoting = await session.get(Post, quote.post_id)
        quoting_author = await session.get(Account, quote.account_id)
        if quoting is not None and quoting_author is not None:
            notify(session, quoting_author, author, NotificationType.QUOTED_UPDATE, quoting)


# --- asking and answering -------------------------------------------------------------------

async def request_quote(session: AsyncSession, quote: Quote, author: Account, note: dict) -> None:
    """A local post quoting another server's post asks that server's author for consent;
    the QuoteRequest goes to the author's own inbox, with the quoting post embedded."""
    quoted_author = await session.get(Account, quote.quoted_account_id)
    quoted = await session.get(Post, quote.quoted_post_id)
    quote.request_uri = f"{author.actor_uri}/quote_requests/{quote.id}"
    request = activities.quote_request(quote.request_uri, author.actor_uri, quoted.object_uri, note)
    await enqueue_delivery(session, request, author, personal_inbox(quoted_author))


async def answer_quote_request(session: AsyncSession, settings, requester: Account, request_uri: str,
                               quoting: Post, quoted: Post) -> Quote:
    """A remote account asks (QuoteRequest `request_uri`) to quote a post of this node with
    `quoting`: accepted with a QuoteAuthorization when the policy allows it, else rejected;
    the answer goes back to the requester's own inbox."""
    if not quoted.local or quoting.account_id != requester.id or quoting.quote_of_uri != quoted.object_uri:
        raise ValidationError("the QuoteRequest does not match its posts")
    quote = await attach_quote(session, quoting, requester, quoted)
    quote.request_uri = request_uri
    request = {"id": request_uri, "actor": requester.actor_uri, "object": quoted.object_uri,
               "instrument": quoting.object_uri}
    quoted_author = await session.get(Account, quoted.account_id)
    allowed = quote.state == QuoteState.ACCEPTED or await _may_see_and_quote(session, quoted, requester)
    if allowed:
        await _accept(session, quote, quoting, requester, quoted, quoted_author)
        answer = activities.accept_quote_request(quoted_author.actor_uri, request, quote.authorization_uri)
    else:
        await _withdraw(session, quote, QuoteState.REJECTED)
        answer = activities.reject_quote_request(quoted_author.actor_uri, request)
    await enqueue_delivery(session, answer, quoted_author, personal_inbox(requester))
    return quote


async def _may_see_and_quote(session: AsyncSession, quoted: Post, account: Account) -> bool:
    try:
        await check_may_quote(session, account, quoted)
    except (NotFound, ValidationError):
        return False
    return True


async def quote_answered(session: AsyncSession, quote: Quote, *, granted_uri: str | None) -> Post:
    """The quoted author's server answered this node's QuoteRequest: with an authorization
    (accepted) or without (rejected; revoked if it had been accepted). Returns the quoting post."""
    post = await session.get(Post, quote.post_id)
    author = await session.get(Account, quote.account_id)
    quoted = await session.get(Post, quote.quoted_post_id) if quote.quoted_post_id else None
    if granted_uri and quoted is not None:
        quoted_author = await session.get(Account, quoted.account_id)
        await _accept(session, quote, post, author, quoted, quoted_author, granted_uri)
    elif quote.state in (QuoteState.PENDING, QuoteState.ACCEPTED):
        await _withdraw(session, quote,
                        QuoteState.REVOKED if quote.state == QuoteState.ACCEPTED else QuoteState.REJECTED)
    return post


# --- revoking ------------------------------------------------------------------------------------

async def revoke_quote(session: AsyncSession, settings, account: Account, quoted: Post, quoting: Post) -> Quote:
    """The local author of `quoted` takes back consent to `quoting`: the quote is revoked, and
    a Delete of its authorization goes to the quoting author's server and to both posts'
    audiences, so every server detaches the quote."""
    quote = await quote_repo.get_quote_by_post_id(session, quoting.id)
    if quote is None or quote.quoted_post_id != quoted.id or quoted.account_id != account.id or not quoted.local:
        raise NotFound(f"post {quoting.id} does not quote post {quoted.id}")
    if quote.state not in (QuoteState.ACCEPTED, QuoteState.PENDING):
        return quote
    was_granted = quote.state == QuoteState.ACCEPTED
    await _withdraw(session, quote, QuoteState.REVOKED)
    if not was_granted:
        return quote
    quoting_author = await session.get(Account, quoting.account_id)
    delete = activities.delete_quote_authorization(authorization_of(quote, quoting, quoted, account))
    inboxes = inboxes_of([quoting_author]) | await follower_inboxes(session, account.id)
    if quoting.local:
        inboxes |= await follower_inboxes(session, quoting_author.id)
    await enqueue_delivery(session, delete, account, inboxes)
    return quote


async def authorization_revoked(session: AsyncSession, revoker: Account, authorization_uri: str) -> Quote | None:
    """A remote author deleted the authorization of a quote of their post."""
    quote = await quote_repo.get_quote_by_authorization_uri(session, authorization_uri)
    if quote is None or quote.quoted_account_id != revoker.id:
        return None
    if quote.state in (QuoteState.ACCEPTED, QuoteState.PENDING):
        await _withdraw(session, quote, QuoteState.REVOKED)
    return quote
