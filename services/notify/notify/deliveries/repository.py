"""Queries on the delivery log."""

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notify.deliveries.models import Delivery, Status


async def claim_due(
    session: AsyncSession, *, now: dt.datetime, limit: int, lease_s: float
) -> Sequence[Delivery]:
    """Take up to ``limit`` due deliveries (or ones whose dispatcher died) for this dispatcher.

    ``SKIP LOCKED`` lets several dispatchers share the work; the attempt is counted here.
    """
    due = (
        select(Delivery.id)
        .where(
            or_(
                and_(
                    Delivery.status.in_([Status.pending, Status.retrying]),  # type: ignore[attr-defined]
                    Delivery.next_attempt_at <= now,
                ),
                and_(Delivery.status == Status.sending, Delivery.lease_until < now),  # type: ignore[operator]
            )
        )
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Delivery)
        .where(Delivery.id.in_(due.scalar_subquery()))  # type: ignore[attr-defined]
        .values(
            status=Status.sending,
            attempts=Delivery.attempts + 1,
            lease_until=now + dt.timedelta(seconds=lease_s),
        )
        .returning(Delivery)
        .execution_options(synchronize_session=False)
    )
    return (await session.scalars(statement)).all()


async def finish(
    session: AsyncSession,
    delivery: Delivery,
    *,
    status: Status,
    now: dt.datetime,
    reason: str | None = None,
    next_attempt_at: dt.datetime | None = None,
) -> None:
    """Record an attempt's outcome, unless another dispatcher has taken the delivery over since."""
    values: dict = {"status": status, "lease_until": None, "last_error": reason}
    if status == Status.sent:
        values["sent_at"] = now
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    await session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery.id,
            Delivery.status == Status.sending,
            Delivery.attempts == delivery.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def list_for_booking(session: AsyncSession, booking_id: uuid.UUID) -> Sequence[Delivery]:
    statement = select(Delivery).where(Delivery.booking_id == booking_id).order_by(Delivery.created_at)
    return (await session.scalars(statement)).all()
