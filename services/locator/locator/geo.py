"""Great-circle distance on the sphere PostGIS uses for ``geography`` without spheroid, and the unit
sphere the KD-trees of sites and communes search (a chord there orders points as that distance does)."""

import math

import numpy as np

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def ewkt_point(lat: float, lon: float) -> str:
    return f"SRID=4326;POINT({lon} {lat})"


def unit_xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points of the unit sphere (one row each): the chord between two rows orders them as the
    great-circle distance does."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))


def unit_vector(lat: float, lon: float) -> list[float]:
    """One point of the unit sphere, as ``unit_xyz`` places it."""
    phi, lam = math.radians(lat), math.radians(lon)
    return [math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)]


def chord_to_m(chord: np.ndarray, radius_m: float) -> np.ndarray:
    """Great-circle distance from the chord between two points of the unit sphere."""
    return 2 * radius_m * np.arcsin(np.minimum(np.asarray(chord) / 2, 1.0))


def m_to_chord(distance_m: float, radius_m: float) -> float:
    return 2 * math.sin(min(distance_m / radius_m, math.pi) / 2)
