"""The current communes with a centre, as the searches and coverage place people and places: each
commune's classes for the travel model and its road territory, and a KD-tree over the centres for a
point whose commune is not known."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from locator.communes.repository import CommuneRef
from locator.geo import unit_vector, unit_xyz
from locator.road_territories import RoadTerritory, road_territories
from locator.travel.model import Density, Terrain, TravelModel, TripEnd

CURRENT = "commune-actuelle"  # municipal arrondissements are inside their city, not counted twice


@dataclass(frozen=True)
class Whereabouts:
    """Where a trip ends: the road territory it cannot leave and the classes of its commune."""

    territory: RoadTerritory
    end: TripEnd


class Communes:
    """Parallel arrays, one row per current commune with a centre, in code order."""

    def __init__(self, refs: Sequence[CommuneRef], model: TravelModel) -> None:
        rows = sorted(
            (c for c in refs if c.kind == CURRENT and c.lat is not None), key=lambda c: c.code_insee
        )
        territories = road_territories()
        self.codes = [c.code_insee for c in rows]
        self.names = [c.name for c in rows]
        self.departements = np.array([c.departement for c in rows], dtype=object)
        self.regions = np.array([c.region or "" for c in rows], dtype=object)
        self.population = np.array([c.population for c in rows], dtype=np.int64)
        self.lat = np.array([c.lat for c in rows], dtype=float)
        self.lon = np.array([c.lon for c in rows], dtype=float)
        self.xyz = unit_xyz(self.lat, self.lon)
        self.ends = [model.classify(c.population, c.departement, c.zone) for c in rows]
        self.density = np.array([e.density for e in self.ends], dtype=np.int64)
        self.terrain = np.array([e.terrain for e in self.ends], dtype=np.int64)
        self.territories = [territories.of(c.code_insee, c.departement) for c in rows]
        self.territory = np.array([t.id for t in self.territories], dtype=object)
        self._position = {code: i for i, code in enumerate(self.codes)}
        self._tree = cKDTree(self.xyz) if rows else None

    def __len__(self) -> int:
        return len(self.codes)

    def position(self, insee_code: str) -> int | None:
        """Index of the commune ``insee_code``; None when it is not a current commune with a centre."""
        return self._position.get(insee_code)

    def index_of(self, insee_code: str | None, lat: float, lon: float) -> int | None:
        """Index of the commune ``insee_code``, else of the commune whose centre is nearest."""
        if insee_code is not None and insee_code in self._position:
            return self._position[insee_code]
        if self._tree is None:
            return None
        _, i = self._tree.query(unit_vector(lat, lon))
        return int(i)

    def locate(self, lat: float, lon: float, insee_code: str | None = None) -> Whereabouts:
        """The territory and classes of the commune ``insee_code`` (when the geocoder or the table gives
        one), else of the commune whose centre is nearest to the point."""
        i = self.index_of(insee_code, lat, lon)
        if i is None:
            return Whereabouts(road_territories().of(insee_code), TripEnd(Density.rural, Terrain.plain))
        return Whereabouts(self.territories[i], self.ends[i])
