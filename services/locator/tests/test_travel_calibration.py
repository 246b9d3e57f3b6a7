"""The travel model against real car durations published by route planners and travel guides."""

from locator.calibration import (
    MAX_CLASS_BIAS,
    MAX_MEDIAN_ERROR,
    MIN_WITHIN_25,
    calibrate,
    read_places,
    read_trips,
)
from locator.config import LocatorSettings
from locator.data_files import COMMUNES_CSV, ROAD_DURATIONS_CSV, SITES_CSV
from locator.travel.model import TravelModel


def test_every_reference_trip_names_its_source_and_real_communes():
    trips = read_trips(ROAD_DURATIONS_CSV)
    places = read_places(COMMUNES_CSV, SITES_CSV)
    assert trips
    for trip in trips:
        assert trip.source_url.startswith("https://"), trip
        assert trip.minutes > 0
        assert trip.origin_insee in places and trip.destination_insee in places, trip


def test_the_default_model_stays_close_to_real_durations():
    calibration = calibrate(
        TravelModel.from_settings(LocatorSettings()),
        read_trips(ROAD_DURATIONS_CSV),
        read_places(COMMUNES_CSV, SITES_CSV),
    )
    report = "\n".join(calibration.lines())
    assert calibration.median_abs_error <= MAX_MEDIAN_ERROR, report
    assert calibration.within_25 >= MIN_WITHIN_25, report
    for name, bias in calibration.bias_by_class.items():
        assert abs(bias) <= MAX_CLASS_BIAS, (name, report)
