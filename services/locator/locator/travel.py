"""Estimated travel time by car, from the great-circle distance.

Method (documented in the README): road distance ≈ great-circle distance × detour factor (1.3, the
usual ratio between road and straight-line distances in France), driven at an average speed of
50 km/h, plus a fixed 3 minutes to park and walk in. A routing engine can replace this later; every
caller goes through ``estimate_minutes``.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class TravelModel:
    detour_factor: float = 1.3
    speed_kmh: float = 50.0
    fixed_minutes: float = 3.0

    def estimate_minutes(self, distance_m: float) -> float:
        road_km = distance_m / 1000 * self.detour_factor
        return self.fixed_minutes + road_km / self.speed_kmh * 60


DEFAULT_MODEL = TravelModel()
PROMISE_MINUTES = 30
