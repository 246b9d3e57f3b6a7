"""Weekly opening hours: parsing the national list's format and evaluating them in the site's time zone.

Hours are stored as ``{"0": [["09:00", "12:00"], ["13:30", "17:00"]], ...}`` with 0 = Monday. A day
absent from the mapping is closed. Public holidays of the site's territory close the site.
"""

import datetime as dt
import re
from dataclasses import dataclass

from fs_common import territories

_RANGE = re.compile(r"^\s*(\d{1,2})[:hH](\d{2})\s*-\s*(\d{1,2})[:hH](\d{2})\s*$")

WeeklyHours = dict[str, list[list[str]]]


class HoursFormatError(ValueError):
    pass


@dataclass(frozen=True)
class ParsedDay:
    ranges: list[list[str]]
    empty_ranges: int = 0  # "00:00 - 00:00" placeholders dropped
    merged_ranges: int = 0  # overlapping ranges merged


def parse_day(value: str) -> ParsedDay:
    """``"09:00 - 12:00 / 13:30 - 17:00"`` → ``[["09:00", "12:00"], ["13:30", "17:00"]]``.

    Empty ranges (``00:00 - 00:00``) are dropped and overlapping ones merged, both counted; a malformed
    or reversed range raises HoursFormatError.
    """
    ranges: list[list[str]] = []
    empty = 0
    for part in value.split("/"):
        if not part.strip():
            continue
        match = _RANGE.match(part)
        if not match:
            raise HoursFormatError(f"plage horaire illisible : « {part.strip()} »")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59:
            raise HoursFormatError(f"heure impossible : « {part.strip()} »")
        start, end = f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"
        if start == end:
            empty += 1
            continue
        if end < start:
            raise HoursFormatError(f"plage horaire inversée : « {part.strip()} »")
        ranges.append([start, end])
    merged: list[list[str]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return ParsedDay(merged, empty, len(ranges) - len(merged))


def _time(value: str) -> dt.time:
    hour, minute = (int(x) for x in value.split(":"))
    return dt.time.max if hour == 24 else dt.time(hour, minute)


@dataclass(frozen=True)
class Opening:
    start: dt.datetime
    end: dt.datetime


def openings_on(hours: WeeklyHours, departement: str, day: dt.date) -> list[Opening]:
    """The opening periods of a local calendar day, as aware datetimes in the site's zone."""
    if territories.public_holiday(departement, day):
        return []
    tz = territories.zone(departement)
    return [
        Opening(
            dt.datetime.combine(day, _time(start), tzinfo=tz),
            dt.datetime.combine(day, _time(end), tzinfo=tz),
        )
        for start, end in hours.get(str(day.weekday()), [])
    ]


def is_open(hours: WeeklyHours, departement: str, at: dt.datetime) -> bool:
    local = at.astimezone(territories.zone(departement))
    return any(o.start <= local < o.end for o in openings_on(hours, departement, local.date()))


def next_opening(
    hours: WeeklyHours, departement: str, at: dt.datetime, horizon_days: int = 31
) -> Opening | None:
    """The opening period in progress at ``at``, or the next one within the horizon."""
    local = at.astimezone(territories.zone(departement))
    for offset in range(horizon_days + 1):
        day = local.date() + dt.timedelta(days=offset)
        for opening in openings_on(hours, departement, day):
            if opening.end > local:
                return opening
    return None


@dataclass(frozen=True)
class OpeningState:
    """Open or not at an instant, the period in progress or next, and until when both stay true."""

    open_now: bool
    next_opening: Opening | None
    valid_until: dt.datetime


def opening_state(hours: WeeklyHours, departement: str, at: dt.datetime) -> OpeningState:
    """The state at ``at``; it holds unchanged for every instant in ``[at, valid_until)``.

    The period in progress (or next) only changes when it starts or ends; without any period within
    the horizon, the horizon moves at the next local midnight.
    """
    local = at.astimezone(territories.zone(departement))
    opening = next_opening(hours, departement, local)
    if opening is None:
        midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=local.tzinfo)
        return OpeningState(False, None, midnight)
    if opening.start <= local:
        return OpeningState(True, opening, opening.end)
    return OpeningState(False, opening, opening.start)


def open_on_weekday(hours: WeeklyHours, weekday: int) -> bool:
    return bool(hours.get(str(weekday)))
