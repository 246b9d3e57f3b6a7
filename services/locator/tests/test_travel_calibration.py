"""The travel model against real car durations published by route planners and travel guides."""

import csv

from locator.calibration import (
    MAX_CLASS_BIAS,
    MAX_MEDIAN_ERROR,
    MIN_CLASS_TRIPS,
    MIN_TRIPS,
    MIN_WITHIN_25,
    calibrate,
    read_places,
    read_trips,
)
from locator.config import LocatorSettings
from locator.data_files import COMMUNES_CSV, ROAD_DURATIONS_CSV, SITES_CSV
from locator.geo import haversine_m
from locator.travel.model import TravelModel

SOURCE_KINDS = {"route-planner", "routing-engine", "official", "guide"}


def test_every_reference_trip_names_its_source_and_real_communes():
    trips = read_trips(ROAD_DURATIONS_CSV)
    places = read_places(COMMUNES_CSV, SITES_CSV)
    assert len(trips) >= MIN_TRIPS
    for trip in trips:
        assert trip.source_url.startswith(("https://", "http://")), trip
        assert trip.minutes > 0
        assert trip.origin_insee in places and trip.destination_insee in places, trip


def test_every_reference_trip_quotes_its_source():
    with ROAD_DURATIONS_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            assert row["source_title"].strip() and row["quoted"].strip(), row
            assert row["source_kind"] in SOURCE_KINDS, row


def test_no_reference_road_is_shorter_than_the_straight_line_between_its_ends():
    """A published road length shorter than the straight line means the source timed another place
    than the one we place (HospiNet's « Le Puy » was geocoded 59 km from Le Puy-en-Velay): such rows
    would teach the model a speed no road has. 5 % of slack for where each end is placed."""
    places = read_places(COMMUNES_CSV, SITES_CSV)
    with ROAD_DURATIONS_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if not row["road_km"]:
                continue
            a, b = places[row["origin_insee"]], places[row["destination_insee"]]
            straight_km = haversine_m(a.lat, a.lon, b.lat, b.lon) / 1000
            trip = (row["origin"], row["destination"], straight_km)
            assert float(row["road_km"]) >= 0.95 * straight_km, trip


def test_the_reference_spreads_over_every_territory_class():
    """Issue 12: city, suburb, small town, countryside, mountain, Corsica and overseas, each with enough
    trips for its bias to be judged."""
    trips = read_trips(ROAD_DURATIONS_CSV)
    for name in ("city", "suburb", "small-town", "countryside", "mountain", "corsica", "overseas"):
        assert sum(t.reference_class == name for t in trips) >= MIN_CLASS_TRIPS, name


def test_the_default_model_stays_close_to_real_durations():
    """Issue 12's targets: the median error, the share within ±25 % and every class's bias."""
    calibration = calibrate(
        TravelModel.from_settings(LocatorSettings()),
        read_trips(ROAD_DURATIONS_CSV),
        read_places(COMMUNES_CSV, SITES_CSV),
    )
    report = "\n".join(calibration.lines())
    assert calibration.median_abs_error <= MAX_MEDIAN_ERROR, report
    assert calibration.within_25 >= MIN_WITHIN_25, report
    assert len(calibration.judged_bias) == 7, report
    for name, bias in calibration.judged_bias.items():
        assert abs(bias) <= MAX_CLASS_BIAS, (name, report)
