"""Follow from remote actors. The rules (who may follow whom, when a follow is accepted,
who is notified) are the actions' (node/actions/follows.py); the Accept or Reject that
answers a local user's follow is in answers.py."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.parse import parse_pointing
from storage.models import Account

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
