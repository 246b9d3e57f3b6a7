"""Visit rules of a stop and the visits they give in a date window, in the site's own time zone.

A rule (stored in ``stop.visits``, JSONB) is::

    {"weekdays": [0, 3], "dates": [], "ranges": [["09:00", "12:00"]],
     "valid_from": "2026-01-01", "valid_until": null,
     "weeks_of_month": [1, 3], "week_parity": "even"}

``dates`` (specific days) replaces ``weekdays`` when given. ``weeks_of_month`` keeps the 1st…5th
occurrence of the weekday in the month (-1: the last); ``week_parity`` keeps even or odd ISO weeks.
A rule without ``ranges`` uses the site's opening hours of that weekday, else has unknown hours.
No visit on a public holiday of the site's territory.
"""

import datetime as dt
from dataclasses import dataclass

from locator import territories

WeeklyHours = dict[str, list[list[str]]]


@dataclass(frozen=True)
class Visit:
    day: dt.date
    start: dt.datetime | None  # None: hours not published
    end: dt.datetime | None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _week_of_month(day: dt.date) -> tuple[int, bool]:
    """(1…5, is it the last such weekday of the month)."""
    return (day.day - 1) // 7 + 1, (day + dt.timedelta(days=7)).month != day.month


def rule_matches(rule: dict, day: dt.date) -> bool:
    valid_from, valid_until = _date(rule.get("valid_from")), _date(rule.get("valid_until"))
    if (valid_from and day < valid_from) or (valid_until and day > valid_until):
        return False
    dates = rule.get("dates") or []
    if dates:
        return day.isoformat() in dates
    if day.weekday() not in (rule.get("weekdays") or []):
        return False
    weeks = rule.get("weeks_of_month") or []
    if weeks:
        nth, last = _week_of_month(day)
        if nth not in weeks and not (last and -1 in weeks):
            return False
    parity = rule.get("week_parity")
    if parity and (day.isocalendar().week % 2 == 0) != (parity == "even"):
        return False
    return True


def _at(day: dt.date, hhmm: str, zone: dt.tzinfo) -> dt.datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=zone)


def visits_between(
    rules: list[dict],
    departement: str,
    first: dt.date,
    last: dt.date,
    *,
    site_hours: WeeklyHours | None = None,
    after: dt.datetime | None = None,
) -> list[Visit]:
    """Every visit from ``first`` to ``last`` (local dates, inclusive), in time order; visits over
    before ``after`` are left out."""
    zone = territories.zone(departement)
    visits: set[Visit] = set()
    day = first
    while day <= last:
        if territories.public_holiday(departement, day) is None:
            for rule in rules:
                if not rule_matches(rule, day):
                    continue
                ranges = rule.get("ranges") or (site_hours or {}).get(str(day.weekday()), [])
                if not ranges:
                    visits.add(Visit(day, None, None))
                for start, end in ranges:
                    visits.add(Visit(day, _at(day, start, zone), _at(day, end, zone)))
        day += dt.timedelta(days=1)
    if after is not None:
        local_today = after.astimezone(zone).date()
        visits = {v for v in visits if (v.end >= after if v.end is not None else v.day >= local_today)}
    return sorted(visits, key=lambda v: (v.day, v.start or dt.datetime.min.replace(tzinfo=dt.UTC)))
