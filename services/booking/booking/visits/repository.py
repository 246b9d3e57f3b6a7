"""All queries on walk-in visits."""

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.visits.models import Visit


async def add(session: AsyncSession, visit: Visit) -> None:
    session.add(visit)
    await session.flush()


async def of_site_on(session: AsyncSession, site_id: int, day: dt.date) -> list[Visit]:
    return list(
        await session.scalars(
            select(Visit)
            .where(col(Visit.site_id) == site_id, col(Visit.day) == day)
            .order_by(col(Visit.occurred_at))
        )
    )
