"""Visit rules of a stop and the visits they give in a date window, in the site's own time zone.

A rule (stored in ``stop.visits``, JSONB) is::

    {"weekdays": [0, 3], "dates": [], "ranges": [["09:00", "12:00"]],
     "valid_from": "2026-01-01", "valid_until": null,
     "weeks_of_month": [1, 3], "week_parity": "even"}

Which days a rule selects is the shared day rule (``fs_common.calendar.rule_applies``). A rule
without ``ranges`` uses the site's opening hours of that weekday, else has unknown hours.
No visit on a public holiday of the site's territory.
"""

import datetime as dt
from dataclasses import dataclass

from fs_common import territories
from fs_common.calendar import rule_applies

WeeklyHours = dict[str, list[list[str]]]


@dataclass(frozen=True)
class Visit:
    day: dt.date
    start: dt.datetime | None  # None: hours not published
    end: dt.datetime | None


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
                if not rule_applies(rule, day):
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
