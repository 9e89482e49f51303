"""Follow from remote actors, and the Accept or Reject that answers a local user's follow.
The rules (who may follow whom, when a follow is accepted, who is notified) are the
actions' (node/actions/follows.py)."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.parse import parse_answer, parse_pointing
from storage.models import Account, Follow
from storage.repositories import follows as follow_repo

from ... import actions
from ...errors import ValidationError
from .lookups import local_account
from .registry import HandlerContext, handles


@handles("Follow")
async def on_follow(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    follow = parse_pointing(activity, "Follow")
    target = await local_account(session, follow.object_uri)
    if target is None:
        raise ValidationError("Follow of an account that is not on this server")
    await actions.follow(session, ctx.settings, actor, target, follow_uri=follow.activity_uri)


async def _our_follow(session: AsyncSession, activity: dict, actor: Account) -> Follow | None:
    """The local follow of `actor` that an Accept or Reject answers: matched by the Follow's
    id, or by the (follower, actor) pair when the server re-minted the id."""
    answer = parse_answer(activity)
    follow = await follow_repo.get_follow_by_uri(session, answer.follow_uri) if answer.follow_uri else None
    if follow is None and answer.follower_uri:
        follower = await local_account(session, answer.follower_uri)
        if follower is not None:
            follow = await follow_repo.get_follow(session, follower.id, actor.id)
    # Only the followed actor answers a follow.
    if follow is None or follow.target_account_id != actor.id:
        return None
    return follow


@handles("Accept")
async def on_accept(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    follow = await _our_follow(session, activity, actor)
    if follow is not None:
        await actions.accept_follow(session, ctx.settings, follow)


@handles("Reject")
async def on_reject(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    follow = await _our_follow(session, activity, actor)
    if follow is not None:
        await actions.reject_follow(session, ctx.settings, follow)
