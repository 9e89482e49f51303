"""Our side of the interop tests: acting as a node's local user, reading its rows, and
reporting what its queues recorded when a peer's activity did not arrive."""

from sqlalchemy import select

from activitypub.resolver import resolve_actor
from node.federation.runtime import FEDERATION
from storage.models import Account, Delivery, InboxItem, Post


async def remote(node, actor_uri: str) -> Account:
    """The node's row for a remote actor, fetched over signed HTTP like a search would."""
    async with node.session() as session:
        account = await resolve_actor(session, node.app[FEDERATION].fetcher, actor_uri, local_domain=node.domain)
        await session.commit()
        return account


async def act(node, action, *args, **kw):
    """Run one of node.actions as a local user and commit, as the API would."""
    async with node.session() as session:
        args = [await session.merge(a) if isinstance(a, (Account, Post)) else a for a in args]
        result = await action(session, node.settings, *args, **kw)
        await session.commit()
        return result


async def first(node, query):
    async with node.session() as session:
        return (await session.execute(query)).scalars().first()


async def queue_report(node) -> str:
    """Inbox items and deliveries of the node that are not done, with their last errors."""
    lines = []
    async with node.session() as session:
        items = (await session.execute(select(InboxItem).where(InboxItem.state != "done"))).scalars()
        for item in items:
            lines.append(f"inbox {item.activity_type} {item.activity_uri} [{item.state}, "
                         f"{item.attempts} attempts]\n{item.last_error or ''}")
        deliveries = (await session.execute(select(Delivery).where(Delivery.state != "done"))).scalars()
        for delivery in deliveries:
            lines.append(f"delivery {delivery.activity_uri} -> {delivery.inbox_uri} [{delivery.state}, "
                         f"status {delivery.last_status}]\n{delivery.last_error or ''}")
    return f"--- {node.name}'s unfinished queue rows ---\n" + ("\n".join(lines) or "(none)")
