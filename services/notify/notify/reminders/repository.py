"""Queries on the reminders."""

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notify.reminders.models import Reminder, ReminderStatus


async def cancel_scheduled(session: AsyncSession, booking_id: uuid.UUID, reason: str) -> None:
    await session.execute(
        update(Reminder)
        .where(col(Reminder.booking_id) == booking_id, col(Reminder.status) == ReminderStatus.scheduled)
        .values(status=ReminderStatus.cancelled, reason=reason)
        .execution_options(synchronize_session=False)
    )


async def lock_due(session: AsyncSession, *, now: dt.datetime, limit: int) -> Sequence[Reminder]:
    statement = (
        select(Reminder)
        .where(col(Reminder.status) == ReminderStatus.scheduled, col(Reminder.due_at) <= now)
        .order_by(col(Reminder.due_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(statement)).all()


async def list_for_booking(session: AsyncSession, booking_id: uuid.UUID) -> Sequence[Reminder]:
    statement = select(Reminder).where(col(Reminder.booking_id) == booking_id).order_by(col(Reminder.due_at))
    return (await session.scalars(statement)).all()
