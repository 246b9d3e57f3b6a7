"""Retention: notify keeps a person's contact details only to send and to support; once the
appointment is ``retention_days`` in the past, they are blanked from the booking states and the
delivery log (statuses, attempts and reasons stay)."""

import datetime as dt
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.config import NotifySettings
from notify.retention import repository

logger = logging.getLogger(__name__)
BATCH = 500


async def anonymise(
    sessionmaker: async_sessionmaker[AsyncSession], *, settings: NotifySettings, now: dt.datetime
) -> int:
    """Blank every booking past the retention period, a batch per transaction; returns how many."""
    before = now - dt.timedelta(days=settings.retention_days)
    total = 0
    while True:
        async with sessionmaker() as session, session.begin():
            ids = await repository.lock_past(session, before=before, limit=BATCH)
            if ids:
                await repository.blank(session, ids, now=now)
        total += len(ids)
        if len(ids) < BATCH:
            break
    if total:
        logger.info("personal data blanked", extra={"bookings": total})
    return total
