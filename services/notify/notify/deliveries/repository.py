"""Queries on the delivery log."""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from notify.deliveries.models import Delivery, Status


async def claim_due(
    session: AsyncSession, *, now: dt.datetime, limit: int, lease_s: float
) -> Sequence[Delivery]:
    """Take up to ``limit`` due deliveries (or ones whose dispatcher died) for this dispatcher.

    ``SKIP LOCKED`` lets several dispatchers share the work; the attempt is counted here.
    """
    due = (
        select(col(Delivery.id))
        .where(
            or_(
                and_(
                    col(Delivery.status).in_([Status.pending, Status.retrying]),
                    col(Delivery.next_attempt_at) <= now,
                ),
                and_(col(Delivery.status) == Status.sending, col(Delivery.lease_until) < now),
            )
        )
        .order_by(col(Delivery.next_attempt_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Delivery)
        .where(col(Delivery.id).in_(due.scalar_subquery()))
        .values(
            status=Status.sending,
            attempts=Delivery.attempts + 1,
            lease_until=now + dt.timedelta(seconds=lease_s),
        )
        .returning(Delivery)
        .execution_options(synchronize_session=False)
    )
    return (await session.scalars(statement)).all()


@dataclass(frozen=True)
class Outcome:
    delivery_id: uuid.UUID
    attempts: int
    status: Status
    reason: str | None
    at: dt.datetime
    next_attempt_at: dt.datetime | None = None


WAKE_CHANNEL = "notify_deliveries"


async def wake_dispatchers(session: AsyncSession) -> None:
    """``NOTIFY`` the dispatchers, delivered when (and only if) the transaction commits."""
    await session.execute(select(func.pg_notify(WAKE_CHANNEL, "")))


_table = Delivery.__table__  # type: ignore[attr-defined]
_FINISH = (
    _table.update()
    .where(
        _table.c.id == bindparam("o_id"),
        _table.c.status == Status.sending,
        _table.c.attempts == bindparam("o_attempts"),
    )
    .values(
        status=bindparam("o_status"),
        lease_until=None,
        last_error=bindparam("o_reason"),
        sent_at=func.coalesce(bindparam("o_sent_at"), _table.c.sent_at),
        next_attempt_at=func.coalesce(bindparam("o_next"), _table.c.next_attempt_at),
    )
)


async def finish_many(session: AsyncSession, outcomes: Sequence[Outcome]) -> None:
    """Record attempts' outcomes (one statement, many rows), except where another dispatcher has taken
    the delivery over since (its lease ran out)."""
    await session.execute(
        _FINISH,
        [
            {
                "o_id": o.delivery_id,
                "o_attempts": o.attempts,
                "o_status": o.status.value,
                "o_reason": o.reason,
                "o_sent_at": o.at if o.status == Status.sent else None,
                "o_next": o.next_attempt_at,
            }
            for o in outcomes
        ],
    )


async def list_for_booking(session: AsyncSession, booking_id: uuid.UUID) -> Sequence[Delivery]:
    statement = (
        select(Delivery).where(col(Delivery.booking_id) == booking_id).order_by(col(Delivery.created_at))
    )
    return (await session.scalars(statement)).all()
