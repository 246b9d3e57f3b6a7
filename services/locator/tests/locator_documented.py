"""The travel model as the README writes it, recomputed independently of ``locator.travel`` for the
tests that compare the service with a brute force (figures: the defaults of ``LocatorSettings``)."""

import csv
import math
from functools import lru_cache

import numpy as np

from locator.config import LocatorSettings
from locator.data_files import COMMUNES_CSV, ROAD_TERRITORIES_CSV

S = LocatorSettings()
DROM = {"971", "972", "973", "974", "976"}


def density(population: int) -> int:
    """0 dense city (≥ 50,000), 1 town (≥ 2,000), 2 village."""
    return (
        0
        if population >= S.travel_dense_city_population
        else 1
        if population >= S.travel_town_population
        else 2
    )


OWN = sorted(S.travel_departement_speed_factors)  # départements whose roads have a factor of their own


def terrain(departement: str, zone: str) -> int:
    """0 plain, 1 mountain (loi Montagne départements), 2 overseas; 3, 4… a département of its own."""
    if departement in OWN:
        return 3 + OWN.index(departement)
    if zone != "metro":
        return 2
    return 1 if departement in S.travel_mountain_departements else 0


def _base(departement: str) -> int:
    overseas = departement.startswith(("97", "98"))
    return 2 if overseas else 1 if departement in S.travel_mountain_departements else 0


_BASE_DETOUR = [S.travel_detour_factor, S.travel_detour_factor_mountain, S.travel_detour_factor_overseas]
DETOUR = np.array(_BASE_DETOUR + [_BASE_DETOUR[_base(d)] for d in OWN])  # by terrain index
FACTOR = np.array(
    [1.0, S.travel_mountain_speed_factor, S.travel_overseas_speed_factor]
    + [S.travel_departement_speed_factors[d] for d in OWN]
)


def minutes(distance_m, o_density, o_terrain, d_density, d_terrain):
    """README, "Travel-time model": streets out of the origin and into the destination, open road between
    faster and straighter as the trip grows longer, mountains and overseas slower and more winding."""
    detour, factor = DETOUR, FACTOR
    urban_km = np.array([S.travel_dense_city_km, S.travel_town_km, S.travel_rural_km])
    urban_kmh = np.array([S.travel_dense_city_kmh, S.travel_town_kmh, S.travel_rural_kmh])
    straight = np.asarray(distance_m) / 1000
    local = np.exp(-straight / S.travel_open_road_scale_km)  # share of the trip on local roads
    road = straight * (
        (detour[o_terrain] + detour[d_terrain]) / 2 * local + S.travel_detour_factor_main_roads * (1 - local)
    )
    out_km = np.minimum(urban_km[o_density], road / 2)
    in_km = np.minimum(urban_km[d_density], road / 2)
    short, long = S.travel_open_road_short_kmh, S.travel_open_road_long_kmh
    speed = (long - (long - short) * local) * ((factor[o_terrain] + factor[d_terrain]) / 2)
    hours = out_km / urban_kmh[o_density] + in_km / urban_kmh[d_density] + (road - out_km - in_km) / speed
    return S.travel_fixed_minutes + 60 * hours


@lru_cache
def territory_rules() -> tuple[dict[str, str], dict[str, str]]:
    communes, departements = {}, {}
    with ROAD_TERRITORIES_CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            (communes if row["scope"] == "commune" else departements)[row["code"]] = row["territory"]
    return communes, departements


def road_territory(insee_code: str) -> str:
    """README: the commune's own row of data/road_territories.csv, else its département's, else mainland."""
    communes, departements = territory_rules()
    if insee_code in communes:
        return communes[insee_code]
    departement = insee_code[:3] if insee_code.startswith(("97", "98")) else insee_code[:2]
    return departements.get(departement, "continent")


@lru_cache
def commune_rows() -> list[dict]:
    with COMMUNES_CSV.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["type"] == "commune-actuelle" and r["lat"]]


def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def nearest_commune(lat: float, lon: float) -> dict:
    return min(commune_rows(), key=lambda r: great_circle_m(lat, lon, float(r["lat"]), float(r["lon"])))


def end_of(row: dict) -> tuple[int, int]:
    return density(int(row["population"] or 0)), terrain(row["departement"], row["zone"])
