"""Timeline markers: where each account stopped reading its home feed and notifications."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import Conflict
from ..models import Marker
from ..types import utcnow


async def get_markers(session: AsyncSession, account_id: int, timelines: list[str]) -> list[Marker]:
    if not timelines:
        return []
    result = await session.execute(
        select(Marker).where(Marker.account_id == account_id, Marker.timeline.in_(timelines))
    )
    return list(result.scalars())


async def put_marker(session: AsyncSession, account_id: int, timeline: str, last_read_id: int) -> Marker:
    """Save a position, counting up `version`; two first saves racing for one row answer Conflict."""
    marker = await session.get(Marker, (account_id, timeline))
    if marker is not None:
        marker.last_read_id = last_read_id
        marker.version += 1
        marker.updated_at = utcnow()
        await session.flush()
        return marker
    marker = Marker(account_id=account_id, timeline=timeline, last_read_id=last_read_id, version=1, updated_at=utcnow())
    session.add(marker)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"the {timeline} marker was saved by another request; try again") from exc
    return marker
