"""Who is within reach of a France Services: the network of communes and places, and the estimate.

The worker's snapshot of the tables (every current commune, site and stop; ``locator.snapshot``) is
arranged as numpy arrays with KD-trees over unit-sphere coordinates: the nearest place of every commune
is one tree query, so a national figure takes milliseconds instead of the 100 million pairs of a brute
force. The network is rebuilt when the snapshot is (``cache.CoverageState``).

A commune is matched only with places of its own road territory (``locator.road_territories``): no trip
crosses the sea. The travel time depends on both ends of the trip (``locator.travel.model``), so the
``CANDIDATES`` nearest places of the territory in straight line are timed and the quickest wins. A
territory without any place is listed apart (``territories_without_site``), with its population, unless
a regular ferry links it and coverage counts crossings (``ferries``). With a routing engine, the nearest
places are timed by it instead (``refinement``).
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from fs_common.errors import NotFound
from locator.coverage.ferries import FerryCrossings, FerryLink
from locator.coverage.schemas import (
    CommuneReach,
    Crossing,
    FerryTerritory,
    Port,
    ServicePoint,
    TerritoryWithoutSite,
)
from locator.geo import EARTH_RADIUS_M, chord_to_m, unit_xyz
from locator.snapshot.communes import Communes, Whereabouts
from locator.snapshot.tables import Snapshot
from locator.travel.model import TravelModel

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
CANDIDATES = 16  # nearest places (straight line) of a commune's territory whose travel time is estimated


@dataclass(frozen=True)
class Scope:
    departement: str | None = None
    region: str | None = None

    def label(self) -> str:
        if self.departement:
            return f"département {self.departement}"
        return f"région {self.region}" if self.region else "France entière"


@dataclass
class Places:
    """Places of service (sites, and stops of mobile services): their classes, road territory, and one
    tree per territory."""

    points: list[ServicePoint]
    lat: np.ndarray
    lon: np.ndarray
    density: np.ndarray
    terrain: np.ndarray
    territory: np.ndarray
    trees: dict[str, tuple[np.ndarray, cKDTree]]

    @classmethod
    def of(
        cls,
        points: list[ServicePoint],
        lat: list[float],
        lon: list[float],
        ends: list[tuple[int, int, str]],
    ) -> "Places":
        lat_a, lon_a = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        territory = np.array([t for _, _, t in ends], dtype=object)
        xyz = unit_xyz(lat_a, lon_a)
        trees = {}
        for t in set(territory.tolist()):
            members = np.flatnonzero(territory == t)
            trees[t] = (members, cKDTree(xyz[members]))
        return cls(
            points,
            lat_a,
            lon_a,
            np.array([d for d, _, _ in ends], dtype=np.int64),
            np.array([g for _, g, _ in ends], dtype=np.int64),
            territory,
            trees,
        )

    def candidates(self, territory: str, xyz: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The ``k`` nearest places of ``territory`` to each point: (chords, place indices), one row per
        point; None when the territory has no place."""
        if territory not in self.trees:
            return None
        members, tree = self.trees[territory]
        k = min(k, len(members))
        chords, found = tree.query(xyz, k=k)
        return np.asarray(chords).reshape(len(xyz), k), members[np.asarray(found).reshape(len(xyz), k)]


@dataclass
class Reach:
    """For each commune: minutes to its nearest place (inf: none) and that place's index (-1)."""

    places: Places
    minutes: np.ndarray
    target: np.ndarray
    ferry: np.ndarray  # the ferry link (its index) counted in each commune's time, -1: none
    refined: np.ndarray | None = None  # communes whose time came from the routing engine


def _site_days(opening_hours: dict) -> list[str]:
    return [WEEKDAYS_FR[int(d)] for d in sorted(opening_hours, key=int) if d.isdigit() and int(d) < 7]


def _stop_days(visits: list) -> list[str]:
    weekdays = sorted({int(d) for rule in visits for d in rule.get("weekdays") or ()})
    days = [WEEKDAYS_FR[d] for d in weekdays if 0 <= d < 7]
    if any(rule.get("dates") for rule in visits):
        days.append("dates ponctuelles")
    return days


def _end(where: Whereabouts) -> tuple[int, int, str]:
    return (where.end.density, where.end.terrain, where.territory.id)


@dataclass
class Network:
    """The communes and places of one snapshot, and the nearest-place figures derived from it."""

    snapshot: Snapshot
    model: TravelModel
    territory_names: dict[str, str]
    fixed: Places
    everything: Places
    fixed_in_everything: np.ndarray  # index in ``everything`` of each fixed place
    ferries: FerryCrossings | None = None  # None: no crossing is counted
    _estimates: dict[bool, Reach] = field(default_factory=dict)
    engine_reach: dict[bool, Reach] = field(default_factory=dict)

    @classmethod
    def build(
        cls, snapshot: Snapshot, model: TravelModel, ferries: FerryCrossings | None = None
    ) -> "Network":
        communes, sites = snapshot.communes, snapshot.sites
        site_points = [
            ServicePoint(
                kind="site",
                id=s.row.id,
                name=s.row.name,
                is_mobile=s.row.is_mobile,
                days=_site_days(s.row.opening_hours) if s.row.is_mobile else [],
            )
            for s in sites.sites
        ]
        stop_points = [
            ServicePoint(
                kind="stop",
                id=s.id,
                name=f"{s.site_name} — {s.name}",
                is_mobile=True,
                days=_stop_days(s.visits),
            )
            for s in snapshot.stops
        ]
        site_ends = [_end(w) for w in sites.whereabouts]
        stop_ends = [
            _end(communes.locate(s.lat, s.lon, s.insee_code or s.site_insee_code)) for s in snapshot.stops
        ]
        fixed = [i for i, s in enumerate(sites.sites) if not s.row.is_mobile]
        return cls(
            snapshot=snapshot,
            model=model,
            territory_names={t.id: t.name for t in communes.territories},
            fixed=Places.of(
                [site_points[i] for i in fixed],
                [sites.sites[i].lat for i in fixed],
                [sites.sites[i].lon for i in fixed],
                [site_ends[i] for i in fixed],
            ),
            everything=Places.of(
                site_points + stop_points,
                [s.lat for s in sites.sites] + [s.lat for s in snapshot.stops],
                [s.lon for s in sites.sites] + [s.lon for s in snapshot.stops],
                site_ends + stop_ends,
            ),
            fixed_in_everything=np.array(fixed, dtype=np.int64),  # sites come first in ``everything``
            ferries=ferries,
        )

    @property
    def communes(self) -> Communes:
        return self.snapshot.communes

    def mask(self, scope: Scope) -> np.ndarray:
        if scope.departement:
            mask = self.communes.departements == scope.departement
        elif scope.region:
            mask = self.communes.regions == scope.region
        else:
            mask = np.ones(len(self.communes.codes), dtype=bool)
        if not mask.any():
            raise NotFound(f"Aucune commune connue pour le {scope.label()}.")
        return mask

    def places(self, include_mobile: bool) -> Places:
        return self.everything if include_mobile else self.fixed

    def timed_candidates(self, places: Places, origins: np.ndarray, k: int):
        """For communes ``origins`` (indices), grouped by road territory: (origins of the group, chords,
        candidate places, estimated minutes), the ``k`` nearest places of their territory."""
        territory = self.communes.territory[origins]
        for t in dict.fromkeys(territory.tolist()):
            group = origins[territory == t]
            found = places.candidates(t, self.communes.xyz[group], k)
            if found is None:
                continue
            chords, candidates = found
            minutes = self.model.minutes(
                chord_to_m(chords, EARTH_RADIUS_M),
                self.communes.density[group, None],
                self.communes.terrain[group, None],
                places.density[candidates],
                places.terrain[candidates],
            )
            yield group, candidates, minutes

    def estimate(self, include_mobile: bool) -> Reach:
        """Quickest place of every commune by the estimate of the travel model (cached)."""
        if include_mobile not in self._estimates:
            places = self.places(include_mobile)
            minutes = np.full(len(self.communes.codes), np.inf)
            target = np.full(len(self.communes.codes), -1)
            everyone = np.arange(len(self.communes.codes))
            for group, candidates, times in self.timed_candidates(places, everyone, CANDIDATES):
                best = np.argmin(times, axis=1)
                rows = np.arange(len(group))
                minutes[group] = times[rows, best]
                target[group] = candidates[rows, best]
            reach = Reach(places, minutes, target, np.full(len(self.communes.codes), -1))
            if self.ferries is not None:
                self._cross(reach, include_mobile, self.ferries)
            self._estimates[include_mobile] = reach
        return self._estimates[include_mobile]

    def _cross(self, reach: Reach, include_mobile: bool, ferries: FerryCrossings) -> None:
        """Communes of a territory without any place get, through each ferry link of their island, the
        road to the island's port + the crossing (and boarding) minutes + the port across's own time to its
        nearest fixed site (the estimate); the quickest wins. Ports across with no fixed site are skipped."""
        communes, alone = self.communes, self.without_place(reach.places)
        fixed = self.estimate(False) if include_mobile else reach
        to_place = self.fixed_in_everything if include_mobile else np.arange(len(self.fixed.points))
        for k, link in enumerate(ferries.links):
            island, port = communes.position(link.island_code), communes.position(link.port_code)
            if island is None or port is None or communes.territory[port] not in self.fixed.trees:
                continue
            members = np.flatnonzero(alone & (communes.territory == communes.territory[island]))
            if not len(members):
                continue
            to_port = self.model.minutes(
                chord_to_m(
                    np.linalg.norm(communes.xyz[members] - communes.xyz[island], axis=1), EARTH_RADIUS_M
                ),
                communes.density[members],
                communes.terrain[members],
                communes.density[island],
                communes.terrain[island],
            )
            total = to_port + link.minutes + ferries.boarding_minutes + fixed.minutes[port]
            quicker = total < reach.minutes[members]
            chosen = members[quicker]
            reach.minutes[chosen] = total[quicker]
            reach.target[chosen] = to_place[fixed.target[port]]
            reach.ferry[chosen] = k

    def without_place(self, places: Places) -> np.ndarray:
        """Communes whose road territory has no place at all."""
        return ~np.isin(self.communes.territory, list(places.trees))

    def apart(self, reach: Reach) -> np.ndarray:
        """Communes listed apart: no place in their territory, and no crossing counted for them."""
        return self.without_place(reach.places) & (reach.ferry < 0)

    def crossing(self, reach: Reach, i: int | np.integer) -> Crossing | None:
        if reach.ferry[i] < 0 or self.ferries is None:
            return None
        return _crossing(self.ferries.links[reach.ferry[i]])

    def commune(self, i: int | np.integer, reach: Reach) -> CommuneReach:
        minutes = float(reach.minutes[i])
        return CommuneReach(
            insee_code=self.communes.codes[i],
            name=self.communes.names[i],
            departement=self.communes.departements[i],
            population=int(self.communes.population[i]),
            minutes=round(minutes, 1) if np.isfinite(minutes) else None,
            nearest=reach.places.points[reach.target[i]] if reach.target[i] >= 0 else None,
            ferry=self.crossing(reach, i),
        )

    def crossed(self, mask: np.ndarray, reach: Reach) -> list[FerryTerritory]:
        """The islands of ``mask`` counted through a ferry, one entry per link used, most populous first."""
        if self.ferries is None:
            return []
        found = []
        for k in np.unique(reach.ferry[mask & (reach.ferry >= 0)]):
            members = mask & (reach.ferry == k)
            t = self.communes.territory[np.flatnonzero(members)[0]]
            found.append(
                FerryTerritory(**self._territory(t, members), crossing=_crossing(self.ferries.links[k]))
            )
        return sorted(found, key=lambda x: (-x.population, x.territory, x.crossing.port.insee_code))

    def _territory(self, territory: str, members: np.ndarray) -> dict:
        """What coverage says of a road territory: its name, and the population and codes of ``members``."""
        return {
            "territory": territory,
            "name": self.territory_names[territory],
            "population": int(self.communes.population[members].sum()),
            "communes": sorted(self.communes.codes[i] for i in np.flatnonzero(members)),
        }

    def territories_apart(self, mask: np.ndarray, reach: Reach) -> list[TerritoryWithoutSite]:
        """The road territories of ``mask`` with no place and no crossing counted, most populous first."""
        alone = mask & self.apart(reach)
        found = []
        for t in dict.fromkeys(self.communes.territory[alone].tolist()):
            found.append(TerritoryWithoutSite(**self._territory(t, alone & (self.communes.territory == t))))
        return sorted(found, key=lambda x: (-x.population, x.territory))


def _crossing(link: FerryLink) -> Crossing:
    return Crossing(
        island_port=Port(insee_code=link.island_code, name=link.island_port),
        port=Port(insee_code=link.port_code, name=link.port_name),
        crossing_minutes=link.minutes,
        publisher=link.publisher,
        source_url=link.source_url,
    )
