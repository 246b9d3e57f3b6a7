"""The one travel-time model of the locator: nearest sites, stops, access points, help-near-me (through
access points) and coverage all use it, built once from the app's settings (``app.state.travel_model``).

The estimate is shaped like a real trip by car (no routing engine configured)::

    local    = exp(−great_circle_km / scale_km)             share of the trip on local roads
    detour   = terrain detour × local + main_detour × (1 − local)   (terrain: mean of the two ends')
    road_km  = great_circle_km × detour
    urban_o  = min(urban_km[class of the origin], road_km / 2)       leaving the origin's streets
    urban_d  = min(urban_km[class of the destination], road_km / 2)  entering the destination's
    open_km  = road_km − urban_o − urban_d                            the road between
    open_kmh = (long_kmh − (long_kmh − short_kmh) × local) × terrain factor
    minutes  = fixed_minutes + 60 × (urban_o / urban_kmh[o] + urban_d / urban_kmh[d] + open_km / open_kmh)

- each end has a **density class** from its commune's population (``dense_city`` from 50,000
  inhabitants, the INSEE/Eurostat urban-centre threshold; ``town`` from 2,000, INSEE's unité urbaine
  threshold; ``rural`` below): the stretch of streets driven to get out of it or into it, and the speed
  there (lights, junctions, 30 and 50 km/h zones, art. R413-3 of the Code de la route);
- the **open road** gets faster as the trip grows longer: short trips stay on departmental roads
  (80 km/h limit, décret n° 2018-487, villages crossed at 50), long ones reach dual carriageways and
  motorways (110/130 km/h), which also wind less (``main_detour``); ``scale_km`` sets how fast the
  mix shifts;
- each end has a **terrain** (``plain``; ``mountain`` for the départements of the loi Montagne in
  ``mountain_departements``; ``overseas`` for the DROM and COM): the open road between is slower and
  more winding (speed factor and detour, the mean of both ends);
- ``fixed_minutes``: parking and walking in.

Every figure is a setting (``LOCATOR_TRAVEL_*``, ``locator/config.py``), calibrated on the committed
reference of real car durations (``data/road_durations.csv``, checked by
``tests/test_travel_calibration.py`` and printed by ``make bench``).

With a routing engine, the road durations replace the estimate (``locator.travel.osrm``).
"""

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from locator.config import LocatorSettings

PROMISE_MINUTES = 30

_DROM = frozenset({"971", "972", "973", "974", "976"})


class Density(IntEnum):
    """How built-up an end of the trip is (an index into the model's arrays)."""

    dense_city = 0
    town = 1
    rural = 2


class Terrain(IntEnum):
    plain = 0
    mountain = 1
    overseas = 2


@dataclass(frozen=True)
class TripEnd:
    """One end of a trip: the classes of its commune. ``terrain`` is a ``Terrain``, or the index of a
    département whose roads have a speed factor of their own (``departement_speed_factors``)."""

    density: Density
    terrain: int


def zone_of(departement: str) -> str:
    """metro, drom or com, from the département code (the commune table also stores it)."""
    if departement in _DROM:
        return "drom"
    return "com" if departement.startswith(("97", "98")) else "metro"


@dataclass(frozen=True)
class TravelModel:
    """Build it with ``from_settings``: the figures live in one place, ``locator/config.py``."""

    fixed_minutes: float
    detour: tuple[float, ...]  # by terrain index: Terrain, then the départements of their own
    terrain_speed_factor: tuple[float, ...]  # the same
    terrain_names: tuple[str, ...]
    urban_km: tuple[float, float, float]  # by Density
    urban_kmh: tuple[float, float, float]  # by Density
    open_road_short_kmh: float
    open_road_long_kmh: float
    open_road_scale_km: float
    main_detour: float
    dense_city_population: int
    town_population: int
    mountain_departements: frozenset[str]
    departement_terrains: dict[str, int]  # département → its terrain index

    @classmethod
    def from_settings(cls, settings: LocatorSettings) -> "TravelModel":
        s = settings
        mountain = frozenset(s.travel_mountain_departements)
        detour = [s.travel_detour_factor, s.travel_detour_factor_mountain, s.travel_detour_factor_overseas]
        factor = [1.0, s.travel_mountain_speed_factor, s.travel_overseas_speed_factor]
        names = [t.name for t in Terrain]
        own: dict[str, int] = {}
        for departement, speed_factor in sorted(s.travel_departement_speed_factors.items()):
            base = (
                Terrain.overseas
                if zone_of(departement) != "metro"
                else (Terrain.mountain if departement in mountain else Terrain.plain)
            )
            own[departement] = len(names)
            detour.append(detour[base])
            factor.append(speed_factor)
            names.append(departement)
        return cls(
            fixed_minutes=s.travel_fixed_minutes,
            detour=tuple(detour),
            terrain_speed_factor=tuple(factor),
            terrain_names=tuple(names),
            urban_km=(s.travel_dense_city_km, s.travel_town_km, s.travel_rural_km),
            urban_kmh=(s.travel_dense_city_kmh, s.travel_town_kmh, s.travel_rural_kmh),
            open_road_short_kmh=s.travel_open_road_short_kmh,
            open_road_long_kmh=s.travel_open_road_long_kmh,
            open_road_scale_km=s.travel_open_road_scale_km,
            main_detour=s.travel_detour_factor_main_roads,
            dense_city_population=s.travel_dense_city_population,
            town_population=s.travel_town_population,
            mountain_departements=mountain,
            departement_terrains=own,
        )

    def classify(self, population: int, departement: str, zone: str | None = None) -> TripEnd:
        """The classes of a commune, from its population, département and zone."""
        if population >= self.dense_city_population:
            density = Density.dense_city
        elif population >= self.town_population:
            density = Density.town
        else:
            density = Density.rural
        terrain: int
        if departement in self.departement_terrains:
            terrain = self.departement_terrains[departement]
        elif (zone or zone_of(departement)) != "metro":
            terrain = Terrain.overseas
        elif departement in self.mountain_departements:
            terrain = Terrain.mountain
        else:
            terrain = Terrain.plain
        return TripEnd(density, terrain)

    def minutes(
        self,
        distance_m: np.ndarray | float,
        origin_density: np.ndarray | int,
        origin_terrain: np.ndarray | int,
        destination_density: np.ndarray | int,
        destination_terrain: np.ndarray | int,
    ) -> np.ndarray:
        """Door-to-door minutes for great-circle distances (metres) between ends of the given classes;
        every argument is a scalar or an array (numpy broadcasting)."""
        detour, factor = np.asarray(self.detour), np.asarray(self.terrain_speed_factor)
        urban_km, urban_kmh = np.asarray(self.urban_km), np.asarray(self.urban_kmh)
        straight_km = np.asarray(distance_m, dtype=float) / 1000
        local = np.exp(-straight_km / self.open_road_scale_km)
        terrain_detour = (detour[origin_terrain] + detour[destination_terrain]) / 2
        road_km = straight_km * (terrain_detour * local + self.main_detour * (1 - local))
        urban_o = np.minimum(urban_km[origin_density], road_km / 2)
        urban_d = np.minimum(urban_km[destination_density], road_km / 2)
        short, long = self.open_road_short_kmh, self.open_road_long_kmh
        open_kmh = (long - (long - short) * local) * (
            (factor[origin_terrain] + factor[destination_terrain]) / 2
        )
        hours = (
            urban_o / urban_kmh[origin_density]
            + urban_d / urban_kmh[destination_density]
            + (road_km - urban_o - urban_d) / open_kmh
        )
        return self.fixed_minutes + 60 * hours

    def estimate_minutes(self, distance_m: float, origin: TripEnd, destination: TripEnd) -> float:
        return float(
            self.minutes(distance_m, origin.density, origin.terrain, destination.density, destination.terrain)
        )

    def describe(self) -> dict:
        return {
            "method": "great_circle",
            "fixed_minutes": self.fixed_minutes,
            "detour_factor": dict(zip(self.terrain_names, self.detour, strict=True)),
            "detour_factor_main_roads": self.main_detour,
            "terrain_speed_factor": dict(zip(self.terrain_names, self.terrain_speed_factor, strict=True)),
            "urban_km": {d.name: v for d, v in zip(Density, self.urban_km, strict=True)},
            "urban_kmh": {d.name: v for d, v in zip(Density, self.urban_kmh, strict=True)},
            "open_road_kmh": {
                "short": self.open_road_short_kmh,
                "long": self.open_road_long_kmh,
                "scale_km": self.open_road_scale_km,
            },
        }
