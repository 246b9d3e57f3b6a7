"""Calendar words and the day rule the locator and booking share.

A day rule (a bus visit in the locator, an agenda rule in booking) says on which days something
happens::

    {"weekdays": [0, 3], "dates": ["2026-12-24"], "valid_from": "2026-01-01", "valid_until": null,
     "weeks_of_month": [1, 3], "week_parity": "even", "ranges": ...}

One meaning, everywhere: ``dates`` (specific days), when given, *replace* ``weekdays`` and the week
filters; else the day's weekday must be listed, ``weeks_of_month`` keeps its 1st…5th occurrence in the
month (-1: the last), ``week_parity`` keeps even or odd ISO weeks. ``valid_from``/``valid_until``
bound both. Each service keeps its own shape of ``ranges`` (hours are not part of this rule).
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def week_of_month(day: dt.date) -> tuple[int, bool]:
    """(1…5, is it the last such weekday of the month)."""
    return (day.day - 1) // 7 + 1, (day + dt.timedelta(days=7)).month != day.month


def rule_applies(rule: Mapping[str, Any], day: dt.date) -> bool:
    """Does the day rule ``rule`` select ``day``?"""
    valid_from, valid_until = _date(rule.get("valid_from")), _date(rule.get("valid_until"))
    if (valid_from and day < valid_from) or (valid_until and day > valid_until):
        return False
    if dates := rule.get("dates"):
        return day.isoformat() in dates
    if day.weekday() not in (rule.get("weekdays") or ()):
        return False
    if weeks := rule.get("weeks_of_month"):
        nth, last = week_of_month(day)
        if nth not in weeks and not (last and -1 in weeks):
            return False
    if parity := rule.get("week_parity"):
        return (day.isocalendar().week % 2 == 0) == (parity == "even")
    return True
