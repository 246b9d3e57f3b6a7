"""French wording of dates and times, in the site's own time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def local(instant: dt.datetime, timezone: str) -> dt.datetime:
    return instant.astimezone(ZoneInfo(timezone))


def french_date(instant: dt.datetime, timezone: str) -> str:
    """``mardi 1er décembre 2026``"""
    d = local(instant, timezone)
    day = "1er" if d.day == 1 else str(d.day)
    return f"{_DAYS[d.weekday()]} {day} {_MONTHS[d.month - 1]} {d.year}"


def french_time(instant: dt.datetime, timezone: str) -> str:
    """``14 h 30``, ``9 h``"""
    d = local(instant, timezone)
    return f"{d.hour} h {d.minute:02d}" if d.minute else f"{d.hour} h"


def short_datetime(instant: dt.datetime, timezone: str) -> str:
    """``01/12 à 14h30`` (SMS)"""
    d = local(instant, timezone)
    return f"{d.day:02d}/{d.month:02d} à {d.hour}h{d.minute:02d}"
