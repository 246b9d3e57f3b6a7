"""The travel-time model: classes of each end, the shape of a trip, settings from the environment."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from locator.config import LocatorSettings
from locator.travel.model import Density, Terrain, TravelModel, TripEnd, zone_of

CITY, TOWN, VILLAGE = Density.dense_city, Density.town, Density.rural


@pytest.fixture
def model() -> TravelModel:
    return TravelModel.from_settings(LocatorSettings())


@pytest.mark.parametrize(
    ("population", "departement", "zone", "expected"),
    [
        (145_000, "974", "drom", TripEnd(CITY, Terrain.overseas)),  # Saint-Denis de La Réunion
        (
            300,
            "975",
            None,
            TripEnd(VILLAGE, Terrain.overseas),
        ),  # zone from the code: Saint-Pierre-et-Miquelon
        (2_100_000, "75", "metro", TripEnd(CITY, Terrain.plain)),
        (130_000, "74", "metro", TripEnd(CITY, Terrain.mountain)),  # Annecy: a city in the mountains
        (8_000, "05", "metro", TripEnd(TOWN, Terrain.mountain)),
        (13_000, "23", "metro", TripEnd(TOWN, Terrain.plain)),
        (1_999, "23", "metro", TripEnd(VILLAGE, Terrain.plain)),
    ],
)
def test_each_end_has_a_density_and_a_terrain(model, population, departement, zone, expected):
    assert model.classify(population, departement, zone) == expected


def test_zone_from_the_departement_code():
    assert [zone_of(d) for d in ("01", "2A", "971", "976", "977", "988")] == [
        "metro",
        "metro",
        "drom",
        "drom",
        "com",
        "com",
    ]


def test_a_trip_leaves_its_town_then_takes_the_open_road():
    # 10 km in straight line between two villages of the plain: a share e^(−10/56) of the trip on local
    # roads, winding 1.32, the rest on main roads, winding 1.17; 0.5 km of streets at each end at 42 km/h,
    # the open road between at 94 − (94 − 36) × that share km/h; plus 1 minute.
    model = TravelModel.from_settings(
        LocatorSettings(
            travel_fixed_minutes=1,
            travel_detour_factor=1.32,
            travel_detour_factor_main_roads=1.17,
            travel_rural_km=0.5,
            travel_rural_kmh=42,
            travel_open_road_short_kmh=36,
            travel_open_road_long_kmh=94,
            travel_open_road_scale_km=56,
        )
    )
    local = np.exp(-10 / 56)
    road = 10 * (1.32 * local + 1.17 * (1 - local))
    expected = 1 + 60 * (1.0 / 42 + (road - 1.0) / (94 - 58 * local))
    village = TripEnd(VILLAGE, Terrain.plain)
    assert model.estimate_minutes(10_000, village, village) == pytest.approx(expected)


def test_long_trips_take_the_straighter_faster_main_roads(model):
    """Paris–Marseille, 663 km in straight line: 7 h 20 by Mappy (data/road_durations.csv); the road
    winds about 1.2 times the straight line and the trip averages about 100 km/h."""
    city = TripEnd(CITY, Terrain.plain)
    minutes = model.estimate_minutes(663_000, city, city)
    assert 663 * 1.2 / 110 * 60 < minutes < 663 * 1.25 / 95 * 60


def test_the_origin_alone_does_not_set_the_speed(model):
    """Leaving a city costs the same minutes whatever the destination; the town speed is not applied to
    the whole trip (the complaint of the issue: 10.5 km ≈ 24 min from Guéret, shorter now)."""
    city, village = TripEnd(CITY, Terrain.plain), TripEnd(VILLAGE, Terrain.plain)
    guéret = TripEnd(TOWN, Terrain.plain)
    assert model.estimate_minutes(10_500, guéret, village) < 20
    assert model.estimate_minutes(10_000, city, village) == pytest.approx(
        model.estimate_minutes(10_000, village, city)
    )


def test_longer_trips_are_faster_per_kilometre(model):
    village = TripEnd(VILLAGE, Terrain.plain)
    per_km = [model.estimate_minutes(km * 1000, village, village) / km for km in (5, 20, 80, 200)]
    assert per_km == sorted(per_km, reverse=True)


def test_mountains_and_overseas_are_slower_than_the_plain(model):
    plain, mountain, overseas = (
        TripEnd(TOWN, t) for t in (Terrain.plain, Terrain.mountain, Terrain.overseas)
    )
    assert model.estimate_minutes(30_000, plain, plain) < model.estimate_minutes(30_000, overseas, overseas)
    assert model.estimate_minutes(30_000, plain, plain) < model.estimate_minutes(30_000, plain, mountain)
    assert model.estimate_minutes(30_000, plain, mountain) < model.estimate_minutes(
        30_000, mountain, mountain
    )


def test_guyane_roads_have_a_factor_of_their_own(model):
    """The long straight RN1 and RN2 of Guyane: calibrated on its reference trips (README)."""
    cayenne, island = model.classify(60_000, "973", "drom"), model.classify(60_000, "974", "drom")
    assert cayenne.terrain != island.terrain == Terrain.overseas
    assert model.estimate_minutes(100_000, cayenne, cayenne) < model.estimate_minutes(100_000, island, island)


def test_mayotte_roads_have_a_factor_of_their_own(model):
    """« On dépasse rarement les 40 ou 50 km/h » (routard.com): slower than the other overseas roads."""
    mamoudzou, island = model.classify(70_000, "976", "drom"), model.classify(70_000, "974", "drom")
    assert mamoudzou.terrain != island.terrain == Terrain.overseas
    on_mayotte = model.estimate_minutes(20_000, mamoudzou, mamoudzou)
    assert on_mayotte > model.estimate_minutes(20_000, island, island)


def test_time_grows_with_distance_for_every_pair_of_ends(model):
    distances = np.linspace(0, 300_000, 3001)
    for o in Density:
        for d in Density:
            for t in range(len(model.terrain_names)):
                minutes = model.minutes(distances, o, t, d, t)
                assert np.all(np.diff(minutes) > 0)


def test_every_figure_comes_from_locator_settings(monkeypatch):
    monkeypatch.setenv("LOCATOR_TRAVEL_FIXED_MINUTES", "0")
    monkeypatch.setenv("LOCATOR_TRAVEL_DETOUR_FACTOR", "1.0")
    monkeypatch.setenv("LOCATOR_TRAVEL_DETOUR_FACTOR_MAIN_ROADS", "1.0")
    monkeypatch.setenv("LOCATOR_TRAVEL_RURAL_KM", "0")
    monkeypatch.setenv("LOCATOR_TRAVEL_OPEN_ROAD_SHORT_KMH", "60")
    monkeypatch.setenv("LOCATOR_TRAVEL_OPEN_ROAD_LONG_KMH", "60")
    monkeypatch.setenv("LOCATOR_TRAVEL_MOUNTAIN_DEPARTEMENTS", '["09", "65"]')
    model = TravelModel.from_settings(LocatorSettings())
    village = TripEnd(VILLAGE, Terrain.plain)
    assert model.estimate_minutes(30_000, village, village) == pytest.approx(30.0)
    assert model.classify(500, "65", "metro").terrain is Terrain.mountain
    assert model.classify(500, "05", "metro").terrain is Terrain.plain


def _setting_names(cell: str) -> list[str]:
    """`A_{X,Y}_KM` → A_X_KM, A_Y_KM; `…_MOUNTAIN` after `A_B` → A_B_MOUNTAIN or A_MOUNTAIN, whichever
    is a setting."""
    fields = LocatorSettings.model_fields
    names: list[str] = []
    for raw in re.findall(r"`([^`]+)`", cell):
        if match := re.fullmatch(r"(\w*)\{([\w,]+)\}(\w*)", raw):
            names += [match[1] + part + match[3] for part in match[2].split(",")]
        elif raw.startswith("…"):
            first, suffix = names[0], raw[1:]
            appended = first + suffix
            replaced = "_".join(first.split("_")[: -len(suffix.strip("_").split("_"))]) + suffix
            names.append(appended if appended.lower().removeprefix("locator_") in fields else replaced)
        else:
            names.append(raw)
    return [n.lower().removeprefix("locator_") for n in names]


def test_the_readme_states_the_travel_defaults():
    """The README's table of settings gives each travel figure's default: it must be the code's."""
    defaults = LocatorSettings()
    rows = [
        line.split("|")[1:3]
        for line in (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `LOCATOR_TRAVEL_")
    ]
    assert len(rows) >= 8
    for names_cell, values_cell in rows:
        names = _setting_names(names_cell)
        values = [json.loads(v) for v in re.findall(r"`([^`]+)`", values_cell)]
        assert len(names) == len(values), names_cell
        for name, value in zip(names, values, strict=True):
            assert getattr(defaults, name) == value, (name, value)
