"""Block and Undo{Block} from remote actors. Mastodon sends `Block` with the blocked actor's
id as `object` to that actor's inbox; the rules (follows ended both ways, the blocker's posts
hidden from the blocked local user, her follows and interactions refused) are the actions'
(node/actions/blocks.py)."""

from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.inbox.parse import Withdrawal, parse_pointing
from storage.models import Account
from storage.repositories import blocks as block_repo

from ...actions import blocks
from ...errors import ValidationError
from .lookups import local_account
from .registry import HandlerContext, handles


@handles("Block")
async def on_block(ctx: HandlerContext, session: AsyncSession, activity: dict, actor: Account) -> None:
    block = parse_pointing(activity, "Block")
    target = await local_account(session, block.object_uri)
    if target is None:
        raise ValidationError("Block of an account that is not on this server")
    await blocks.block(session, ctx.settings, actor, target, block_uri=block.activity_uri)


async def undo_block(ctx: HandlerContext, session: AsyncSession, undo: Withdrawal, actor: Account) -> None:
    """The embedded Block is matched by its id, else by the blocked actor it names."""
    row = await block_repo.get_block_by_uri(session, undo.original_uri) if undo.original_uri else None
    if row is None and undo.object_uri:
        target = await local_account(session, undo.object_uri)
        row = await block_repo.get_block(session, actor.id, target.id) if target is not None else None
    if row is not None and row.account_id == actor.id:
        await blocks.unblock(session, ctx.settings, actor, await session.get(Account, row.target_account_id))
