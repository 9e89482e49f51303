"""Undo of a Follow, Like, Announce or Block. The embedded original is matched by its id, and by
the (actor, object) pair when a server re-minted the id; only its own actor may undo it
(activitypub.inbox.parse.parse_withdrawal). Undoing is the same action as a local user's
unfollow, unfavourite or unboost."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.parse import Withdrawal, parse_withdrawal
from storage.models import Account
from storage.repositories import accounts as account_repo
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo

from ... import actions
from .blocks import undo_block
from .lookups import stored_post
from .registry import HandlerContext, handles


async def _undo_follow(ctx: HandlerContext, session: AsyncSession, undo: Withdrawal, actor: Account) -> None:
    follow = await follow_repo.get_follow_by_uri(session, undo.original_uri) if undo.original_uri else None
    if follow is None and undo.object_uri:
        target = await account_repo.get_account_by_uri(session, undo.object_uri)
        follow = await follow_repo.get_follow(session, actor.id, target.id) if target is not None else None
    if follow is not None and follow.account_id == actor.id:
        target = await session.get(Account, follow.target_account_id)
        await actions.unfollow(session, ctx.settings, actor, target)


async def _undo_like(ctx: HandlerContext, session: AsyncSession, undo: Withdrawal, actor: Account) -> None:
    favourite = await post_repo.get_favourite_by_uri(session, undo.original_uri) if undo.original_uri else None
    if favourite is not None and favourite.account_id != actor.id:
        return
    if favourite is not None:
        post = await post_repo.get_post_by_id(session, favourite.post_id)
    else:
        post = await stored_post(session, undo.object_uri)  # unfavourite finds the actor's like of it
    if post is not None:
        await actions.unfavourite(session, ctx.settings, actor, post)


async def _undo_announce(ctx: HandlerContext, session: AsyncSession, undo: Withdrawal, actor: Account) -> None:
    boost = await stored_post(session, undo.original_uri)
    if boost is None:
        boost = await stored_post(session, undo.object_uri)  # unboost finds the actor's boost of it
    elif boost.account_id != actor.id or boost.reblog_of_id is None:
        return
    if boost is not None:
        await actions.unboost(session, ctx.settings, actor, boost)


UNDOERS = {"Follow": _undo_follow, "Like": _undo_like, "EmojiReact": _undo_like, "Announce": _undo_announce,
           "Block": undo_block}


@handles("Undo")
async def on_undo(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    undo = parse_withdrawal(activity)
    if undo.kinds:
        for kind in sorted(undo.kinds & UNDOERS.keys()):
            await UNDOERS[kind](ctx, session, undo, actor)
        return
    # Only an id was sent: it may name any of them.
    for undoer in (_undo_follow, _undo_like, _undo_announce, undo_block):
        await undoer(ctx, session, undo, actor)
