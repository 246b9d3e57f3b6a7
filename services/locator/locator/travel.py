"""The one travel-time model of the locator: nearest results and coverage both use it.

Estimate (no routing engine configured)::

    minutes = fixed_minutes + great_circle_km × detour_factor / speed_kmh(class of the origin) × 60

- ``detour_factor`` (1.3): road distance over straight-line distance, the usual ratio on the French
  road network.
- ``fixed_minutes`` (3): parking and walking in.
- ``speed_kmh`` depends on the kind of territory of the *origin* (the commune the person lives in,
  or the commune nearest to the searched point), see ``classify``. Average door-to-door speeds,
  calibrated below the legal limits of the Code de la route: 50 km/h in built-up areas (art. R413-3),
  80 km/h on two-way roads outside built-up areas (art. R413-2, décret n° 2018-487 of 15 June 2018),
  110/130 km/h on expressways and motorways, with crossings, junctions and traffic taken off:

  ==========  =======  ==============================================================================
  class       km/h     why
  ==========  =======  ==============================================================================
  dense_city  25       half the urban limit: lights, congestion, parking search
  town        40       urban limit of 50 km/h, short stretches outside
  rural       60       80 km/h roads, villages crossed at 50 km/h
  mountain    40       winding roads, passes, slopes: far below the 80 km/h limit
  overseas    40       dense traffic on few roads (DROM and COM)
  ==========  =======  ==============================================================================

Classes, from data the commune table holds (no altitude, no area there):

- ``overseas``: the commune's zone is ``drom`` or ``com``;
- ``dense_city``: 50,000 inhabitants or more (the population threshold of an urban centre in the
  INSEE/Eurostat degree of urbanisation grid);
- ``mountain``: a département in ``mountain_departements``, an approximation of the zone de montagne of
  the loi n° 85-30 (« loi Montagne »), whose commune list we do not hold: the départements (nearly)
  wholly classified in it: 04, 05, 15, 2A, 2B, 48, 73, 74;
- ``town``: 2,000 inhabitants or more (INSEE's threshold of an unité urbaine);
- ``rural``: the rest.

The speed depends on the origin only, so for one commune the time grows with the distance: the nearest
site is also the quickest one to reach. Every figure is a setting (``LOCATOR_TRAVEL_*``).

With a routing engine (``LOCATOR_ROUTING_URL``, OSRM's HTTP API), coverage asks it the road durations
from each commune to its few nearest sites (``/table/v1/driving/``) and adds ``fixed_minutes``; the
nearest search does the same from the searched point to its results.
"""

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Literal, Protocol

import httpx
import numpy as np

from fs_common.errors import BadGateway
from locator.config import LocatorSettings, get_settings

PROMISE_MINUTES = 30
logger = logging.getLogger(__name__)

_DROM = frozenset({"971", "972", "973", "974", "976"})


class TerritoryClass(StrEnum):
    dense_city = "dense_city"
    town = "town"
    rural = "rural"
    mountain = "mountain"
    overseas = "overseas"


def zone_of(departement: str) -> str:
    """metro, drom or com, from the département code (the commune table also stores it)."""
    if departement in _DROM:
        return "drom"
    return "com" if departement.startswith(("97", "98")) else "metro"


@dataclass(frozen=True)
class TravelModel:
    """Build it with ``from_settings``: the figures live in one place, ``locator/config.py``."""

    detour_factor: float
    fixed_minutes: float
    speeds_kmh: dict[TerritoryClass, float]
    dense_city_population: int
    town_population: int
    mountain_departements: frozenset[str]

    @classmethod
    def from_settings(cls, settings: LocatorSettings) -> "TravelModel":
        return cls(
            detour_factor=settings.travel_detour_factor,
            fixed_minutes=settings.travel_fixed_minutes,
            speeds_kmh={
                TerritoryClass.dense_city: settings.travel_speed_dense_city_kmh,
                TerritoryClass.town: settings.travel_speed_town_kmh,
                TerritoryClass.rural: settings.travel_speed_rural_kmh,
                TerritoryClass.mountain: settings.travel_speed_mountain_kmh,
                TerritoryClass.overseas: settings.travel_speed_overseas_kmh,
            },
            dense_city_population=settings.travel_dense_city_population,
            town_population=settings.travel_town_population,
            mountain_departements=frozenset(settings.travel_mountain_departements),
        )

    def classify(self, population: int, departement: str, zone: str | None = None) -> TerritoryClass:
        if (zone or zone_of(departement)) != "metro":
            return TerritoryClass.overseas
        if population >= self.dense_city_population:
            return TerritoryClass.dense_city
        if departement in self.mountain_departements:
            return TerritoryClass.mountain
        if population >= self.town_population:
            return TerritoryClass.town
        return TerritoryClass.rural

    def estimate_minutes(self, distance_m: float, territory: TerritoryClass) -> float:
        road_km = distance_m / 1000 * self.detour_factor
        return self.fixed_minutes + road_km / self.speeds_kmh[territory] * 60

    def minutes_array(self, distances_m: np.ndarray, speeds_kmh: np.ndarray) -> np.ndarray:
        """``estimate_minutes`` for many origins at once (``speeds_kmh`` per origin)."""
        return self.fixed_minutes + distances_m / 1000 * self.detour_factor / speeds_kmh * 60

    def reach_m(self, minutes: float, speed_kmh: float) -> float:
        """The longest great-circle distance covered within ``minutes`` at ``speed_kmh``."""
        return max(minutes - self.fixed_minutes, 0.0) / 60 * speed_kmh / self.detour_factor * 1000

    def describe(self) -> dict:
        return {
            "method": "great_circle",
            "detour_factor": self.detour_factor,
            "fixed_minutes": self.fixed_minutes,
            "speeds_kmh": {c.value: s for c, s in self.speeds_kmh.items()},
            "speed_from": "origin commune",
        }


@lru_cache
def configured_model() -> TravelModel:
    """The model built from the process settings (``LOCATOR_TRAVEL_*``)."""
    return TravelModel.from_settings(get_settings())


def chord_to_m(chord: np.ndarray, radius_m: float) -> np.ndarray:
    """Great-circle distance from the chord between two points of the unit sphere."""
    return 2 * radius_m * np.arcsin(np.minimum(np.asarray(chord) / 2, 1.0))


def m_to_chord(distance_m: float, radius_m: float) -> float:
    return 2 * math.sin(min(distance_m / radius_m, math.pi) / 2)


class OsrmClient:
    """Road durations from an OSRM server (``/table/v1/{profile}/``), in minutes.

    ``durations`` come back in seconds, ``null`` where no route exists (returned as ``None``).
    """

    def __init__(self, http: httpx.AsyncClient, base_url: str, profile: str = "driving") -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._profile = profile

    async def table_minutes(
        self, sources: Sequence[tuple[float, float]], destinations: Sequence[tuple[float, float]]
    ) -> list[list[float | None]]:
        """Matrix [source][destination] of driving minutes; points are (lat, lon)."""
        points = [*sources, *destinations]
        coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        n = len(sources)
        params = {
            "sources": ";".join(str(i) for i in range(n)),
            "destinations": ";".join(str(i) for i in range(n, len(points))),
            "annotations": "duration",
        }
        url = f"{self._base}/table/v1/{self._profile}/{coordinates}"
        try:
            response = await self._http.get(url, params=params)
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise BadGateway("Le moteur d'itinéraires ne répond pas ; réessayez plus tard.") from exc
        if response.status_code != 200 or body.get("code") != "Ok":
            raise BadGateway(
                f"Le moteur d'itinéraires a refusé la demande ({body.get('code', response.status_code)})."
            )
        return [[None if d is None else d / 60 for d in row] for row in body["durations"]]


class TimedResult(Protocol):
    """A search result carrying a travel time (nearest sites, stops)."""

    travel_time_min: int
    within_30_min: bool
    travel_time_source: Literal["estimate", "routing_engine"]


async def apply_road_times(
    routing: OsrmClient | None,
    origin: tuple[float, float],
    results: Sequence[TimedResult],
    destinations: Sequence[tuple[float, float]],
) -> None:
    """Replace each result's estimate by the engine's door-to-door road time (the fixed access time
    included) where it finds a road. Without an engine, or when it fails, the estimates stay, so a
    routing outage never breaks a search."""
    if routing is None or not destinations:
        return
    try:
        (row,) = await routing.table_minutes([origin], destinations)
    except BadGateway:
        logger.warning("routing engine unavailable; the estimate stays")
        return
    fixed = configured_model().fixed_minutes
    for result, road in zip(results, row, strict=True):
        if road is not None:
            result.travel_time_min = round(fixed + road)
            result.within_30_min = fixed + road <= PROMISE_MINUTES
            result.travel_time_source = "routing_engine"
