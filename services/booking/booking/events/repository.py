"""All queries on the outbox."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.events.models import OutboxEvent


async def add(session: AsyncSession, event: OutboxEvent) -> None:
    session.add(event)
    await session.flush()


async def claim_pending(session: AsyncSession, limit: int) -> Sequence[OutboxEvent]:
    """The oldest unpublished events, locked; another relay skips them (SKIP LOCKED)."""
    return (
        await session.scalars(
            select(OutboxEvent)
            .where(col(OutboxEvent.published_at).is_(None))
            .order_by(col(OutboxEvent.seq))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def mark_published(session: AsyncSession, seqs: Sequence[int], now: dt.datetime) -> None:
    await session.execute(update(OutboxEvent).where(col(OutboxEvent.seq).in_(seqs)).values(published_at=now))


async def purge_published_before(session: AsyncSession, cutoff: dt.datetime) -> int:
    result = await session.execute(
        delete(OutboxEvent).where(col(OutboxEvent.published_at) < cutoff).returning(col(OutboxEvent.seq))
    )
    return len(result.all())
