"""Blanking the personal data of past bookings."""

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import Text, cast, func, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notify.deliveries.models import Channel, Delivery
from notify.events.models import BookingState

ERASED = "(effacé)"
_BLANK_CONTACT = cast(literal('{"name": "", "email": null, "phone": null, "consent_contact": false}'), JSONB)


async def lock_past(session: AsyncSession, *, before: dt.datetime, limit: int) -> Sequence[uuid.UUID]:
    statement = (
        select(col(BookingState.booking_id))
        .where(col(BookingState.starts_at) < before, col(BookingState.anonymised_at).is_(None))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(statement)).all()


async def blank(session: AsyncSession, booking_ids: Sequence[uuid.UUID], *, now: dt.datetime) -> None:
    snapshot = func.jsonb_set(
        func.jsonb_set(BookingState.snapshot, literal(["contact"], ARRAY(Text)), _BLANK_CONTACT),
        literal(["manage_url"], ARRAY(Text)),
        cast(literal("null"), JSONB),
    )
    await session.execute(
        update(BookingState)
        .where(col(BookingState.booking_id).in_(booking_ids))
        .values(snapshot=snapshot, manage_url=None, anonymised_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Delivery)
        .where(col(Delivery.booking_id).in_(booking_ids), col(Delivery.channel) != Channel.webhook)
        .values(recipient=ERASED, payload={})
        .execution_options(synchronize_session=False)
    )
