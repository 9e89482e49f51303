"""A local user deleting her own account (Mastodon's DeleteAccountService with the row kept):
her posts, images, boosts, likes, follows, mutes and blocks go; her sign-in goes with her
user row; the account row stays, marked gone, so her name is not taken again and her
`Delete` of her actor can still be signed. The Delete goes to every server that knows her:
her followers', the accounts she followed, and those she blocked. Nothing here commits.
"""

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from activitypub.delivery.queue import enqueue_delivery, follower_inboxes, inboxes_of
from activitypub.outbox import activities
from storage.models import Account, Block, Follow, Mute, User
from storage.types import utcnow

from ..settings import Settings
from .common import require_local_person
from .deletes import purge_account


async def _known_inboxes(session: AsyncSession, account: Account) -> set[str]:
    inboxes = await follower_inboxes(session, account.id)
    others = await session.execute(select(Account).where(Account.domain.is_not(None), Account.id.in_(
        select(Follow.target_account_id).where(Follow.account_id == account.id).union(
            select(Block.target_account_id).where(Block.account_id == account.id)))))
    return inboxes | inboxes_of(others.scalars())


async def delete_own_account(session: AsyncSession, settings: Settings, account: Account) -> None:
    require_local_person(account)
    inboxes = await _known_inboxes(session, account)
    await purge_account(session, settings, account)
    for model in (Block, Mute):
        await session.execute(delete(model).where((model.account_id == account.id) |
                                                  (model.target_account_id == account.id)))
    await session.execute(delete(User).where(User.account_id == account.id))
    account.gone_at = utcnow()
    account.display_name, account.note, account.fields = "", "", []
    account.avatar_uri = account.header_uri = None
    await session.flush()
    await enqueue_delivery(session, activities.delete_actor(account.actor_uri), account, inboxes)
