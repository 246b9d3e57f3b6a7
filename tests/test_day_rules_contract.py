"""Contract between the locator and booking: a bus stop is bookable exactly on the days the locator
says the bus comes. For every stop the extractor reads from the national list, and for stops given by
dates or by week of the month, the locator's visits over a year and booking's open units fall on the
same days."""

import csv
import datetime as dt
from collections.abc import Mapping
from functools import cache

import pytest

from booking.agendas.calendar import Calendar
from booking.agendas.service import _stop_rules
from booking.clients.locator import LocatorSite, LocatorStop
from fs_common import territories
from locator.communes.importer import read_refs
from locator.data_files import COMMUNES_CSV, SITES_CSV
from locator.itineraries.extraction import CommuneNames, communes_by_departement, extract_stops
from locator.itineraries.schemas import VisitRule
from locator.itineraries.visits import visits_between

FIRST, LAST = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
SLOT_MINUTES = 15
# The mobile site's own hours, used by visits published without hours (both sides read the same ones).
SITE_HOURS = {str(d): [["09:00", "12:00"], ["14:00", "17:00"]] for d in range(5)}


@cache
def commune_names() -> Mapping[str, CommuneNames]:
    return communes_by_departement(read_refs(COMMUNES_CSV))


def extracted_stops() -> list[tuple[str, list[dict]]]:
    """(département, the stop's stored visit rules) for every stop read from the national list."""
    stops = []
    with SITES_CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names = commune_names().get(row["insee_dep"])
            if row["format_fs"] == "Fixe" or not row["commentaire"] or names is None:
                continue
            try:
                base = (float(row["latitude"]), float(row["longitude"]))
            except ValueError:
                base = None
            for stop in extract_stops(row["commentaire"], names, base).stops:
                stops.append((row["insee_dep"], stop.visits))
    return stops


def locator_days(rules: list[dict], departement: str) -> set[dt.date]:
    """Days the locator publishes a visit with hours, long enough for one slot."""
    visits = visits_between(rules, departement, FIRST, LAST, site_hours=SITE_HOURS)
    return {
        v.day
        for v in visits
        if v.start is not None and v.end is not None and v.end - v.start >= dt.timedelta(minutes=SLOT_MINUTES)
    }


def booking_days(rules: list[dict], departement: str) -> set[dt.date]:
    """Days booking opens at least one slot on the agenda it builds from the locator's stop."""
    site = LocatorSite.model_validate(
        {
            "id": 1,
            "name": "Bus France Services",
            "is_mobile": True,
            "address": {
                "street": "Place de la mairie",
                "postcode": "00000",
                "commune": "Commune",
                "insee_code": "00000",
                "departement": departement,
            },
            "timezone": territories.timezone_name(departement),
            "opening_hours": [
                {"weekday": int(d), "day": "", "ranges": [{"opens": a, "closes": b} for a, b in ranges]}
                for d, ranges in SITE_HOURS.items()
            ],
        }
    )
    published = [VisitRule.from_stored(rule).model_dump(mode="json") for rule in rules]
    stop = LocatorStop.model_validate(
        {"id": 1, "name": "Arrêt", "timezone": site.timezone, "visits": published}
    )
    calendar = Calendar(
        timezone=site.timezone,
        departement=departement,
        rules=tuple(_stop_rules(stop, site)),
        capacity=1,
        slot_minutes=SLOT_MINUTES,
    )
    days, day = set(), FIRST
    while day <= LAST:
        if calendar.day_units(day):
            days.add(day)
        day += dt.timedelta(days=1)
    return days


def rule(**fields) -> dict:
    return {"weekdays": [], "dates": [], "ranges": [], "valid_from": None, "valid_until": None} | fields


def test_every_extracted_stop_is_bookable_exactly_on_its_visit_days():
    stops = extracted_stops()
    assert len(stops) > 100  # the national list's bus comments give well over a hundred stops
    disagreements = [
        (departement, rules)
        for departement, rules in stops
        if locator_days(rules, departement) != booking_days(rules, departement)
    ]
    assert disagreements == []


@pytest.mark.parametrize(
    "rules",
    [
        [rule(dates=["2026-03-03", "2026-07-14", "2026-09-19"], ranges=[["09:00", "12:00"]])],
        [rule(dates=["2026-06-10", "2026-06-13"])],  # the site's hours; none on Saturday
        [rule(weekdays=[1], weeks_of_month=[1, -1], ranges=[["14:00", "16:30"]], valid_until="2026-10-31")],
        [rule(weekdays=[3], week_parity="odd", valid_from="2026-04-01")],
        [rule(weekdays=[0, 4], ranges=[["09:00", "09:10"], ["10:00", "12:00"]])],
    ],
)
@pytest.mark.parametrize("departement", ["08", "57", "974"])
def test_stops_by_dates_and_weeks_agree(rules, departement):
    days = locator_days(rules, departement)
    assert days  # each case has visits in the year
    assert booking_days(rules, departement) == days
