"""Queries on the processed events and the booking states."""

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from fs_common.events import BookingEvent
from notify.events.models import BookingState, ProcessedEvent


async def record_event(
    session: AsyncSession, event: BookingEvent, *, stream_id: str, consumer: str, now: dt.datetime
) -> bool:
    """Record the event id; False when it was already recorded (a replay: act on nothing)."""
    statement = (
        insert(ProcessedEvent)
        .values(
            event_id=event.id,
            stream_id=stream_id,
            consumer=consumer,
            type=event.type.value,
            booking_id=event.booking.booking_id,
            occurred_at=event.occurred_at,
            processed_at=now,
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(col(ProcessedEvent.event_id))
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def lock_or_create_state(session: AsyncSession, event: BookingEvent) -> tuple[BookingState, bool]:
    """The booking's state, locked for this transaction; True when this event created it."""
    booking = event.booking
    created = (
        await session.execute(
            insert(BookingState)
            .values(
                booking_id=booking.booking_id,
                site_id=booking.place.site_id,
                status=booking.status,
                starts_at=booking.starts_at,
                last_event_at=event.occurred_at,
                ics_sequence=0,
                manage_url=booking.manage_url,
                snapshot=booking.model_dump(mode="json"),
            )
            .on_conflict_do_nothing(index_elements=["booking_id"])
            .returning(col(BookingState.booking_id))
        )
    ).scalar_one_or_none() is not None
    state = (
        await session.scalars(
            select(BookingState).where(col(BookingState.booking_id) == booking.booking_id).with_for_update()
        )
    ).one()
    return state, created


async def get_state(session: AsyncSession, booking_id: uuid.UUID) -> BookingState | None:
    return await session.get(BookingState, booking_id)


async def states_of(
    session: AsyncSession, booking_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, dt.datetime]]:
    """(status, starts_at) of each of these bookings that is known."""
    statement = select(
        col(BookingState.booking_id), col(BookingState.status), col(BookingState.starts_at)
    ).where(col(BookingState.booking_id).in_(booking_ids))
    return {row.booking_id: (row.status, row.starts_at) for row in await session.execute(statement)}
