"""Accept and Reject: the answers to a local user's Follow, and to this node's QuoteRequest
for a local post quoting another server's post. Only the one asked may answer."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.parse import Answer, parse_answer
from activitypub.shapes import same_origin
from storage.models import Account, Follow, Quote
from storage.repositories import follows as follow_repo
from storage.repositories import quotes as quote_repo

from ... import actions
from .lookups import local_account
from .registry import HandlerContext, handles


async def _our_follow(session: AsyncSession, answer: Answer, actor: Account) -> Follow | None:
    """The local follow of `actor` answered: matched by the Follow's id, or by the
    (follower, actor) pair when the server re-minted the id."""
    follow = await follow_repo.get_follow_by_uri(session, answer.object_uri) if answer.object_uri else None
    if follow is None and answer.object_actor_uri and "Follow" in answer.object_types:
        follower = await local_account(session, answer.object_actor_uri)
        if follower is not None:
            follow = await follow_repo.get_follow(session, follower.id, actor.id)
    if follow is None or follow.target_account_id != actor.id:
        return None
    return follow


async def _our_quote_request(session: AsyncSession, answer: Answer, actor: Account) -> Quote | None:
    """The quote this node asked `actor` to consent to, matched by the QuoteRequest's id."""
    quote = await quote_repo.get_quote_by_request_uri(session, answer.object_uri) if answer.object_uri else None
    if quote is None or quote.quoted_account_id != actor.id:
        return None
    return quote


@handles("Accept")
async def on_accept(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    answer = parse_answer(activity)
    if answer.answers_follow and (follow := await _our_follow(session, answer, actor)) is not None:
        await actions.accept_follow(session, ctx.settings, follow)
    elif answer.answers_quote_request and (quote := await _our_quote_request(session, answer, actor)) is not None:
        # The authorization lives on the consenting author's server (FEP-044f).
        granted = answer.result_uri if answer.result_uri and same_origin(answer.result_uri, actor.actor_uri) else None
        post = await actions.quote_answered(session, quote, granted_uri=granted)
        if granted:
            await actions.announce_quote_authorized(session, ctx.settings, post)


@handles("Reject")
async def on_reject(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    answer = parse_answer(activity)
    if answer.answers_follow and (follow := await _our_follow(session, answer, actor)) is not None:
        await actions.reject_follow(session, ctx.settings, follow)
    elif answer.answers_quote_request and (quote := await _our_quote_request(session, answer, actor)) is not None:
        await actions.quote_answered(session, quote, granted_uri=None)
