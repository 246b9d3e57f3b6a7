"""The double-booking guarantee: every query on ``slot_load``.

``hold`` adds one appointment to each unit in one INSERT … ON CONFLICT DO UPDATE, units in time order
(so two overlapping bookings lock rows in the same order and cannot deadlock). The row lock serialises
concurrent bookings of a unit and the table's CHECK (used <= capacity) makes PostgreSQL itself refuse
the one too many: no check-then-insert in Python.
"""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booking.slots.models import WITHIN_CAPACITY

_HOLD = text(
    """
    INSERT INTO slot_load (agenda_id, starts_at, capacity, used)
    SELECT :agenda_id, u.starts_at, u.capacity, 1
    FROM unnest(CAST(:starts AS timestamptz[]), CAST(:capacities AS int[])) AS u(starts_at, capacity)
    ORDER BY u.starts_at
    ON CONFLICT (agenda_id, starts_at)
    DO UPDATE SET used = slot_load.used + 1, capacity = EXCLUDED.capacity
    """
)

_RELEASE = text(
    """
    UPDATE slot_load SET used = used - 1
    WHERE agenda_id = :agenda_id AND starts_at = ANY(CAST(:starts AS timestamptz[]))
    """
)


async def hold(session: AsyncSession, agenda_id: int, units: Sequence[tuple[dt.datetime, int]]) -> bool:
    """Take one place on every unit (capacity as the rules now say); False when one is full.

    Runs in a savepoint, so that the caller's transaction stays usable after a refusal.
    """
    ordered = sorted(units)
    try:
        async with session.begin_nested():
            await session.execute(
                _HOLD,
                {
                    "agenda_id": agenda_id,
                    "starts": [u for u, _ in ordered],
                    "capacities": [c for _, c in ordered],
                },
            )
    except IntegrityError as exc:
        if str(WITHIN_CAPACITY.name) in str(exc.orig):
            return False
        raise
    return True


async def release(session: AsyncSession, agenda_id: int, units: Sequence[dt.datetime]) -> None:
    await session.execute(_RELEASE, {"agenda_id": agenda_id, "starts": sorted(units)})


async def used_between(
    session: AsyncSession, agenda_id: int, start: dt.datetime, end: dt.datetime
) -> dict[dt.datetime, int]:
    rows = await session.execute(
        text(
            "SELECT starts_at, used FROM slot_load "
            "WHERE agenda_id = :agenda_id AND starts_at >= :start AND starts_at < :end AND used > 0"
        ),
        {"agenda_id": agenda_id, "start": start, "end": end},
    )
    return {starts_at: used for starts_at, used in rows.all()}


async def has_future_holds(session: AsyncSession, agenda_id: int, now: dt.datetime) -> bool:
    row = await session.execute(
        text(
            "SELECT 1 FROM slot_load WHERE agenda_id = :agenda_id AND starts_at >= :now AND used > 0 LIMIT 1"
        ),
        {"agenda_id": agenda_id, "now": now},
    )
    return row.first() is not None
