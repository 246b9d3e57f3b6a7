"""Personal data kept only as long as needed: old bookings anonymised, transient copies purged."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import repository as bookings
from booking.config import BookingSettings
from booking.events import repository as events


@dataclass(frozen=True)
class RetentionReport:
    anonymised: int
    idempotency_purged: int
    events_purged: int


async def apply(session: AsyncSession, settings: BookingSettings, now: dt.datetime) -> RetentionReport:
    """Anonymise bookings older than the retention; purge idempotency records and published events
    (which hold contact details) once they have served."""
    return RetentionReport(
        anonymised=await bookings.anonymise_before(
            session, now - dt.timedelta(days=settings.retention_days), now
        ),
        idempotency_purged=await bookings.purge_idempotency_before(
            session, now - dt.timedelta(hours=settings.idempotency_ttl_hours)
        ),
        events_purged=await events.purge_published_before(
            session, now - dt.timedelta(days=settings.outbox_retention_days)
        ),
    )
