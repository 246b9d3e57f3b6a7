"""The travel-time model: classes of territory, the documented formula, settings from the environment."""

import pytest

from locator.config import LocatorSettings
from locator.travel import TerritoryClass, TravelModel, zone_of


@pytest.fixture
def model() -> TravelModel:
    return TravelModel.from_settings(LocatorSettings())


@pytest.mark.parametrize(
    ("population", "departement", "zone", "expected"),
    [
        (145_000, "974", "drom", TerritoryClass.overseas),  # Saint-Denis de La Réunion
        (300, "975", None, TerritoryClass.overseas),  # zone from the code: Saint-Pierre-et-Miquelon
        (2_100_000, "75", "metro", TerritoryClass.dense_city),
        (130_000, "74", "metro", TerritoryClass.dense_city),  # Annecy: a city before a mountain
        (8_000, "05", "metro", TerritoryClass.mountain),
        (13_000, "23", "metro", TerritoryClass.town),
        (1_999, "23", "metro", TerritoryClass.rural),
    ],
)
def test_classes_follow_the_documented_order(model, population, departement, zone, expected):
    assert model.classify(population, departement, zone) is expected


def test_zone_from_the_departement_code():
    assert [zone_of(d) for d in ("01", "2A", "971", "976", "977", "988")] == [
        "metro",
        "metro",
        "drom",
        "drom",
        "com",
        "com",
    ]


def test_formula_is_fixed_minutes_plus_detoured_distance_at_the_class_speed(model):
    # 20 km in a rural commune: 3 + 20 × 1.3 / 60 × 60 = 29 minutes; in a dense city, 3 + 62.4.
    assert model.estimate_minutes(20_000, TerritoryClass.rural) == pytest.approx(29.0)
    assert model.estimate_minutes(20_000, TerritoryClass.dense_city) == pytest.approx(65.4)
    assert model.reach_m(29.0, 60) == pytest.approx(20_000)


def test_every_figure_comes_from_locator_settings(monkeypatch):
    monkeypatch.setenv("LOCATOR_TRAVEL_SPEED_RURAL_KMH", "78")
    monkeypatch.setenv("LOCATOR_TRAVEL_DETOUR_FACTOR", "1.5")
    monkeypatch.setenv("LOCATOR_TRAVEL_FIXED_MINUTES", "0")
    monkeypatch.setenv("LOCATOR_TRAVEL_MOUNTAIN_DEPARTEMENTS", '["09", "65"]')
    model = TravelModel.from_settings(LocatorSettings())
    assert model.estimate_minutes(26_000, TerritoryClass.rural) == pytest.approx(30.0)
    assert model.classify(500, "65", "metro") is TerritoryClass.mountain
    assert model.classify(500, "05", "metro") is TerritoryClass.rural
