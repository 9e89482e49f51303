"""Undo of a Follow, Like or Announce. The embedded original is matched by id, and by the
(actor, object) pair when a server re-mints the id; only the original actor may undo."""

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account
from storage.repositories import accounts as account_repo
from storage.repositories import follows as follow_repo
from storage.repositories import posts as post_repo

from ...shapes import id_of, types_of
from ..registry import InboxContext, handles


async def _undo_follow(session: AsyncSession, original, actor: Account) -> None:
    follow = await follow_repo.get_follow_by_uri(session, id_of(original) or "")
    if follow is None and isinstance(original, dict):
        target = await account_repo.get_account_by_uri(session, id_of(original.get("object")) or "")
        if target is not None:
            follow = await follow_repo.get_follow(session, actor.id, target.id)
    if follow is not None and follow.account_id == actor.id:
        await follow_repo.delete_follow(session, follow)


async def _undo_like(session: AsyncSession, original, actor: Account) -> None:
    favourite = await post_repo.get_favourite_by_uri(session, id_of(original) or "")
    if favourite is None and isinstance(original, dict):
        post = await post_repo.get_post_by_uri(session, id_of(original.get("object")) or "")
        if post is not None:
            favourite = await post_repo.get_favourite(session, actor.id, post.id)
    if favourite is not None and favourite.account_id == actor.id:
        await post_repo.change_counter(session, favourite.post_id, "favourites_count", -1)
        await session.delete(favourite)


async def _undo_announce(ctx: InboxContext, session: AsyncSession, original, actor: Account) -> None:
    boost = await post_repo.get_post_by_uri(session, id_of(original) or "")
    if boost is None and isinstance(original, dict):
        post = await post_repo.get_post_by_uri(session, id_of(original.get("object")) or "")
        if post is not None:
            boost = await post_repo.get_boost(session, actor.id, post.id)
    if boost is None or boost.account_id != actor.id or boost.reblog_of_id is None:
        return
    await post_repo.change_counter(session, boost.reblog_of_id, "reblogs_count", -1)
    await post_repo.delete_post(session, boost)
    ctx.emit("delete", post_id=boost.id)


@handles("Undo")
async def on_undo(ctx: InboxContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    original = activity.get("object")
    if isinstance(original, dict) and id_of(original.get("actor")) not in (None, actor.actor_uri):
        return  # Nobody may undo someone else's activity.
    kinds = types_of(original) if isinstance(original, dict) else set()
    if "Follow" in kinds:
        await _undo_follow(session, original, actor)
    elif kinds & {"Like", "EmojiReact"}:
        await _undo_like(session, original, actor)
    elif "Announce" in kinds:
        await _undo_announce(ctx, session, original, actor)
    elif isinstance(original, str):
        # A bare id: try each kind in turn.
        await _undo_follow(session, original, actor)
        await _undo_like(session, original, actor)
        await _undo_announce(ctx, session, original, actor)
