"""Follow, Accept and Reject from remote actors (a follow's lifecycle: requested -> accepted,
or removed on Reject or Undo)."""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, Notification
from storage.repositories import accounts as account_repo
from storage.repositories import follows as follow_repo

from ...delivery.queue import enqueue_delivery, preferred_inbox
from ...errors import InvalidActivity
from ...outbox import activities
from ...shapes import has_type, id_of, require_id
from ..registry import InboxContext, handles


async def local_target(session: AsyncSession, object_uri: str | None) -> Account | None:
    if not object_uri:
        return None
    account = await account_repo.get_account_by_uri(session, object_uri)
    return account if account is not None and account.domain is None else None


# --- inbound Follow -------------------------------------------------------------

@handles("Follow")
async def on_follow(ctx: InboxContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    follow_uri = require_id(activity.get("id"), "Follow")
    target = await local_target(session, id_of(activity.get("object")))
    if target is None or target.actor_type != "Person":
        raise InvalidActivity("Follow of an account that is not ours")
    state = "requested" if target.locked else "accepted"
    follow = await follow_repo.put_follow(session, actor.id, target.id, follow_uri, state)
    if follow.state == "accepted":
        # Accept embeds the Follow as received, so the follower can match it without a fetch.
        accept = activities.accept_follow(target.actor_uri, {
            "id": follow_uri, "type": "Follow", "actor": actor.actor_uri, "object": target.actor_uri,
        })
        await enqueue_delivery(session, accept, target, [actor.inbox_uri or preferred_inbox(actor)])
    kind = "follow" if follow.state == "accepted" else "follow_request"
    session.add(Notification(account_id=target.id, type=kind, from_account_id=actor.id))
    ctx.emit("notification", account_id=target.id)


# --- answers to our Follow --------------------------------------------------------

async def _our_follow(session: AsyncSession, activity: dict, actor: Account):
    """The local follow of `actor` that an Accept/Reject answers, matched by id or by pair."""
    obj = activity.get("object")
    follow_uri = id_of(obj)
    follow = await follow_repo.get_follow_by_uri(session, follow_uri) if follow_uri else None
    if follow is None and has_type(obj, "Follow"):
        # Some servers mint a new id for the embedded Follow; fall back to the actor pair.
        follower = await local_target(session, id_of(obj.get("actor")))
        if follower is not None:
            follow = await follow_repo.get_follow(session, follower.id, actor.id)
    if follow is None or follow.target_account_id != actor.id:
        return None
    return follow


@handles("Accept")
async def on_accept(ctx: InboxContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    follow = await _our_follow(session, activity, actor)
    if follow is not None:
        follow.state = "accepted"


@handles("Reject")
async def on_reject(ctx: InboxContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    follow = await _our_follow(session, activity, actor)
    if follow is not None:
        await follow_repo.delete_follow(session, follow)
