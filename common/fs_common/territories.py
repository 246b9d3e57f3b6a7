"""Time zone and public-holiday calendar of a place, from its département code: one mapping for the
locator (opening hours, bus visits) and booking (agendas, slots)."""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# Overseas départements and collectivités: their own time zone and holiday calendar (``holidays`` subdiv).
_OVERSEAS: dict[str, tuple[str, str]] = {
    "971": ("America/Guadeloupe", "971"),
    "972": ("America/Martinique", "972"),
    "973": ("America/Cayenne", "973"),
    "974": ("Indian/Reunion", "974"),
    "975": ("America/Miquelon", "PM"),
    "976": ("Indian/Mayotte", "976"),
    "977": ("America/St_Barthelemy", "BL"),
    "978": ("America/Marigot", "MF"),
    "986": ("Pacific/Wallis", "WF"),
    "987": ("Pacific/Tahiti", "PF"),
    "988": ("Pacific/Noumea", "NC"),
}
# Alsace-Moselle keeps Good Friday and 26 December.
_ALSACE_MOSELLE = {"57": "57", "67": "6AE", "68": "6AE"}
METRO_TZ = "Europe/Paris"


def timezone_name(departement: str) -> str:
    return _OVERSEAS.get(departement, (METRO_TZ, ""))[0]


@lru_cache(maxsize=256)
def zone(departement: str) -> ZoneInfo:
    return ZoneInfo(timezone_name(departement))


def holiday_subdivision(departement: str | None) -> str | None:
    if departement in _OVERSEAS:
        return _OVERSEAS[departement][1]
    return _ALSACE_MOSELLE.get(departement or "")


@lru_cache(maxsize=256)
def _calendar(departement: str | None) -> holidays.HolidayBase:
    return holidays.France(subdiv=holiday_subdivision(departement), language="fr")


def public_holiday(departement: str | None, day: dt.date) -> str | None:
    """The French name of the public holiday on ``day`` in this département, or None."""
    return _calendar(departement).get(day)
