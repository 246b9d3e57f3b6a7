"""Regular ferry crossings, for coverage only: the islands without a France Services whose only link is a
regular ferry (``data/ferry_links.csv``: each crossing time quoted from its operator or an official source,
provenance in ``data/README.md``).

With ``LOCATOR_COVERAGE_FERRY_CROSSINGS`` on, a commune of such an island is timed door to door: the road
to its island's port, the published crossing (plus ``LOCATOR_COVERAGE_FERRY_BOARDING_MINUTES``), then the
road from the port on the other side to the nearest fixed France Services of that port's road territory;
the quickest link of the island wins (``network.Network``). Off (the default), such islands stay listed
apart, as the published figures count them. The searches never cross: a place on such an island still
answers « Aucune France Services dans ce territoire ».
"""

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from locator.config import LocatorSettings
from locator.data_files import FERRY_LINKS_CSV


@dataclass(frozen=True)
class FerryLink:
    """One regular crossing: the island's port commune, the port commune across, the published minutes."""

    island_code: str
    island_port: str
    port_code: str
    port_name: str
    minutes: float
    publisher: str
    source_url: str


def read_links(path: Path) -> tuple[FerryLink, ...]:
    with path.open(encoding="utf-8", newline="") as f:
        return tuple(
            FerryLink(
                island_code=row["island_code"],
                island_port=row["island_port"],
                port_code=row["port_code"],
                port_name=row["port_name"],
                minutes=float(row["minutes"]),
                publisher=row["publisher"],
                source_url=row["source_url"],
            )
            for row in csv.DictReader(f)
        )


@lru_cache
def ferry_links() -> tuple[FerryLink, ...]:
    """The vendored file, read once per process (reference data, not a setting)."""
    return read_links(FERRY_LINKS_CSV)


@dataclass(frozen=True)
class FerryCrossings:
    """The crossings coverage counts, and the minutes added to each for boarding."""

    links: tuple[FerryLink, ...]
    boarding_minutes: float

    @classmethod
    def from_settings(cls, settings: LocatorSettings) -> "FerryCrossings | None":
        """None unless ``LOCATOR_COVERAGE_FERRY_CROSSINGS`` is on."""
        if not settings.coverage_ferry_crossings:
            return None
        return cls(ferry_links(), settings.coverage_ferry_boarding_minutes)
