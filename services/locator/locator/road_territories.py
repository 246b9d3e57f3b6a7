"""Territories a car cannot leave: Corsica, each overseas département and collectivité, and the
inhabited islands without a road link (``data/road_territories.csv``, its provenance in
``data/README.md``).

A commune belongs to the territory of its own row in the file, else to the one of its département,
else to the mainland (``continent``). A site, a stop or a searched point takes the territory of its
commune: searches and coverage match places only within one territory, so no trip crosses the sea.
"""

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from locator.data_files import ROAD_TERRITORIES_CSV


@dataclass(frozen=True)
class RoadTerritory:
    id: str
    name: str


MAINLAND = RoadTerritory("continent", "France métropolitaine continentale")


class RoadTerritories:
    def __init__(
        self, by_commune: dict[str, RoadTerritory], by_departement: dict[str, RoadTerritory]
    ) -> None:
        self._by_commune = by_commune
        self._by_departement = by_departement

    @classmethod
    def read(cls, path: Path) -> "RoadTerritories":
        by_commune: dict[str, RoadTerritory] = {}
        by_departement: dict[str, RoadTerritory] = {}
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                target = by_commune if row["scope"] == "commune" else by_departement
                target[row["code"]] = RoadTerritory(row["territory"], row["name"])
        return cls(by_commune, by_departement)

    def of(self, insee_code: str | None, departement: str | None = None) -> RoadTerritory:
        """The territory of a commune (its INSEE code), or of its département when the code is unknown."""
        if insee_code and insee_code in self._by_commune:
            return self._by_commune[insee_code]
        departement = departement or departement_of(insee_code)
        return self._by_departement.get(departement or "", MAINLAND)


def departement_of(insee_code: str | None) -> str | None:
    if not insee_code:
        return None
    return insee_code[:3] if insee_code.startswith(("97", "98")) else insee_code[:2]


@lru_cache
def road_territories() -> RoadTerritories:
    """The vendored file, read once per process (it is reference data, not a setting)."""
    return RoadTerritories.read(ROAD_TERRITORIES_CSV)
