"""All queries on bookings and idempotency records."""

import datetime as dt
import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from booking.bookings.models import Booking, IdempotencyRecord


async def claim_idempotency(session: AsyncSession, record: IdempotencyRecord) -> bool:
    """Insert the record; False when the key is taken. A concurrent holder makes this wait for its commit."""
    statement = (
        insert(IdempotencyRecord)
        .values(
            key_hash=record.key_hash,
            fingerprint=record.fingerprint,
            booking_id=record.booking_id,
            token_box=record.token_box,
        )
        .on_conflict_do_nothing(index_elements=["key_hash"])
        .returning(col(IdempotencyRecord.key_hash))
    )
    return (await session.execute(statement)).first() is not None


async def idempotency_record(session: AsyncSession, key_hash: str) -> IdempotencyRecord | None:
    return await session.get(IdempotencyRecord, key_hash)


async def add(session: AsyncSession, booking: Booking) -> None:
    session.add(booking)
    await session.flush()


async def get(session: AsyncSession, booking_id: uuid.UUID) -> Booking | None:
    return await session.get(Booking, booking_id)


async def by_token(session: AsyncSession, token_hash: str, *, lock: bool) -> Booking | None:
    """``lock``: so that two cancellations or reschedulings of one booking run one after the other."""
    statement = select(Booking).where(col(Booking.manage_token_hash) == token_hash)
    return await session.scalar(statement.with_for_update() if lock else statement)


async def by_id_for_update(session: AsyncSession, booking_id: uuid.UUID) -> Booking | None:
    return await session.scalar(select(Booking).where(col(Booking.id) == booking_id).with_for_update())


async def of_site_between(
    session: AsyncSession, site_id: int, start: dt.datetime, end: dt.datetime
) -> list[Booking]:
    return list(
        await session.scalars(
            select(Booking)
            .where(
                col(Booking.site_id) == site_id,
                col(Booking.starts_at) >= start,
                col(Booking.starts_at) < end,
            )
            .order_by(col(Booking.starts_at), col(Booking.created_at))
        )
    )


async def anonymise_before(session: AsyncSession, cutoff: dt.datetime, now: dt.datetime) -> int:
    result = await session.execute(
        update(Booking)
        .where(col(Booking.starts_at) < cutoff, col(Booking.anonymised_at).is_(None))
        .values(person_name=None, email=None, phone=None, note=None, consent_contact=False, anonymised_at=now)
        .returning(col(Booking.id))
    )
    return len(result.all())


async def purge_idempotency_before(session: AsyncSession, cutoff: dt.datetime) -> int:
    result = await session.execute(
        delete(IdempotencyRecord)
        .where(col(IdempotencyRecord.created_at) < cutoff)
        .returning(col(IdempotencyRecord.key_hash))
    )
    return len(result.all())
