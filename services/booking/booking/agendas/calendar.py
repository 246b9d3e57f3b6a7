"""An agenda's rules turned into open time units: computed in the place's time zone, returned in UTC.

A unit is ``slot_minutes`` long; ranges are cut into units from their opening time. Public holidays
of the place's territory close the day (unless an extra opening is declared), closures remove units,
extra openings add them. Local times that do not exist (spring daylight-saving jump) are skipped.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from fs_common.calendar import rule_applies
from fs_common.territories import public_holiday

UTC = dt.UTC


def minutes(hhmm: str) -> int:
    """``"09:30"`` → 570; ``"24:00"`` is the end of the day."""
    hours, _, mins = hhmm.partition(":")
    return int(hours) * 60 + int(mins)


@dataclass(frozen=True)
class DayException:
    date: dt.date
    kind: str  # closed or open
    ranges: tuple[tuple[str, str], ...] = ()
    capacity: int | None = None


@dataclass(frozen=True)
class Calendar:
    """What the unit computation needs of an agenda, detached from the database."""

    timezone: str
    departement: str | None
    rules: tuple[dict, ...]
    capacity: int
    slot_minutes: int
    closed_on_public_holidays: bool = True
    exceptions: tuple[DayException, ...] = field(default=())

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def day_units(self, day: dt.date) -> dict[int, int]:
        """Local start minute of each open unit of ``day`` → capacity."""
        g = self.slot_minutes
        units: dict[int, int] = {}

        def add(ranges: Iterable, capacity: int) -> None:
            for opens, closes in ranges:
                for m in range(minutes(opens), minutes(closes) - g + 1, g):
                    units[m] = max(units.get(m, 0), capacity)

        exceptions = [e for e in self.exceptions if e.date == day]
        holiday = self.closed_on_public_holidays and public_holiday(self.departement, day) is not None
        if not holiday and not any(e.kind == "closed" and not e.ranges for e in exceptions):
            for rule in self.rules:
                if rule_applies(rule, day):
                    add(rule["ranges"], rule.get("capacity") or self.capacity)
            for e in exceptions:
                if e.kind == "closed":
                    for opens, closes in e.ranges:
                        start, end = minutes(opens), minutes(closes)
                        for m in [m for m in units if m < end and m + g > start]:
                            del units[m]
        for e in exceptions:
            if e.kind == "open":
                add(e.ranges, e.capacity or self.capacity)
        return units

    def units(self, first_day: dt.date, last_day: dt.date) -> dict[dt.datetime, int]:
        """UTC start of each open unit from ``first_day`` to ``last_day`` (local dates) → capacity."""
        tz = self.tz
        result: dict[dt.datetime, int] = {}
        day = first_day
        while day <= last_day:
            day_units = self.day_units(day)
            if day_units:
                result.update(_to_utc(day, day_units, tz))
            day += dt.timedelta(days=1)
        return result


def _to_utc(day: dt.date, day_units: dict[int, int], tz: ZoneInfo) -> dict[dt.datetime, int]:
    """Local minutes of ``day`` → UTC instants: one offset for the whole day unless the clocks change."""
    first = dt.datetime(day.year, day.month, day.day, tzinfo=tz).utcoffset()
    last = dt.datetime(day.year, day.month, day.day, 23, 59, tzinfo=tz).utcoffset()
    if first == last and first is not None:
        base = dt.datetime(day.year, day.month, day.day, tzinfo=UTC) - first
        return {base + dt.timedelta(minutes=m): c for m, c in sorted(day_units.items())}
    result = {}
    for m, capacity in sorted(day_units.items()):
        local = dt.datetime(day.year, day.month, day.day, m // 60, m % 60, tzinfo=tz)
        utc = local.astimezone(UTC)
        if utc.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):  # skips non-existent times
            result[utc] = capacity
    return result
