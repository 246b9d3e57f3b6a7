"""Free start times of an agenda for a visit of a given length."""

import datetime as dt
import json
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from booking.agendas import service as agendas
from booking.agendas.models import Agenda
from booking.catalogue import service as catalogue
from booking.slots import repository
from booking.slots.engine import FreeStart, free_starts
from booking.slots.schemas import SlotOut
from fs_common.errors import Unprocessable

MAX_SEARCH_DAYS = 400


def window(agenda: Agenda, now: dt.datetime, *, notice: bool = True) -> tuple[dt.datetime, dt.datetime]:
    """The instants a booking may start at: after the minimum notice (``notice=False``: after now, for
    agents), before the horizon."""
    return (
        now + dt.timedelta(minutes=agenda.min_notice_minutes if notice else 0),
        now + dt.timedelta(days=agenda.horizon_days),
    )


async def free(
    session: AsyncSession,
    agenda: Agenda,
    duration_min: int,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    *,
    notice: bool = True,
) -> list[FreeStart]:
    earliest, latest = window(agenda, now, notice=notice)
    earliest, latest = max(earliest, start), min(latest, end)
    if earliest > latest:
        return []
    tz = ZoneInfo(agenda.timezone)
    first_day, last_day = earliest.astimezone(tz).date(), latest.astimezone(tz).date()
    calendar = await agendas.calendar(session, agenda, first_day, last_day)
    units = calendar.units(first_day, last_day)
    held_span = dt.timedelta(minutes=duration_min + agenda.buffer_minutes)
    used = await repository.used_between(session, agenda.id or 0, earliest, latest + held_span)
    return free_starts(
        units,
        used,
        duration_min,
        agenda.buffer_minutes,
        agenda.slot_minutes,
        earliest=earliest,
        latest=latest,
    )


def slot_out(agenda: Agenda, free_start: FreeStart, duration_min: int) -> SlotOut:
    tz = ZoneInfo(agenda.timezone)
    return SlotOut(
        starts_at=free_start.starts_at.astimezone(tz),
        ends_at=(free_start.starts_at + dt.timedelta(minutes=duration_min)).astimezone(tz),
        remaining=free_start.remaining,
    )


async def search(
    session: AsyncSession,
    agenda: Agenda,
    codes: Sequence[str],
    day_from: dt.date | None,
    day_to: dt.date | None,
    now: dt.datetime,
    *,
    notice: bool = True,
) -> bytes:
    """The free slots as the JSON of ``SlotsOut``, built directly (a search can return thousands)."""
    demarches = await catalogue.for_booking(session, codes, agenda.demarches)
    duration = sum(d.duration_minutes for d in demarches)
    tz = ZoneInfo(agenda.timezone)
    day_from = day_from or now.astimezone(tz).date()
    day_to = day_to or day_from + dt.timedelta(days=agenda.horizon_days)
    if day_to < day_from or (day_to - day_from).days > MAX_SEARCH_DAYS:
        raise Unprocessable("Période invalide : « to » doit suivre « from », sur 400 jours au plus.")
    start = dt.datetime.combine(day_from, dt.time(), tz)
    end = dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time(), tz) - dt.timedelta(microseconds=1)
    starts = await free(session, agenda, duration, start, end, now, notice=notice)
    length = dt.timedelta(minutes=duration)
    body = {
        "agenda_id": agenda.id,
        "site_id": agenda.site_id,
        "stop_id": agenda.stop_id,
        "timezone": agenda.timezone,
        "demarches": list(codes),
        "duration_minutes": duration,
        "slots": [
            {
                "starts_at": s.starts_at.astimezone(tz).isoformat(),
                "ends_at": (s.starts_at + length).astimezone(tz).isoformat(),
                "remaining": s.remaining,
            }
            for s in starts
        ],
    }
    return json.dumps(body, ensure_ascii=False).encode()


async def nearest(
    session: AsyncSession,
    agenda: Agenda,
    duration_min: int,
    around: dt.datetime,
    now: dt.datetime,
    count: int = 5,
) -> list[SlotOut]:
    """The ``count`` free starts closest in time to ``around`` (within a week either side)."""
    week = dt.timedelta(days=7)
    starts = await free(session, agenda, duration_min, around - week, around + week, now)
    starts.sort(key=lambda s: abs(s.starts_at - around))
    return sorted((slot_out(agenda, s, duration_min) for s in starts[:count]), key=lambda s: s.starts_at)
