"""The nearest search in memory: every site of the worker's snapshot (``locator.snapshot``).

The national list is 2,845 sites, a few megabytes once loaded. A search is one query of a KD-tree over
their points on the unit sphere (tens of microseconds) and needs no database round trip, so the
platform's most frequent question costs the least. PostgreSQL stays the source of truth: the snapshot
is reloaded whenever the tables change.

Distances are on the sphere PostGIS uses for ``geography`` without spheroid (``locator.geo``), so this
search, the site list and the coverage figures agree to the metre.
"""

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
from scipy.spatial import cKDTree

from fs_common import territories
from locator.geo import EARTH_RADIUS_M, m_to_chord, unit_vector, unit_xyz
from locator.road_territories import RoadTerritory
from locator.sites.models import Site
from locator.sites.opening_hours import is_open, open_on_weekday, opening_state
from locator.snapshot.communes import Communes
from locator.travel.model import TripEnd

_END_OF_TIME = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class SiteFilters:
    """What the nearest search and the site list filter on, in one place: arrays of the snapshot."""

    departement: str | None = None
    insee_code: str | None = None
    kinds: tuple[str, ...] = ()
    partner: str | None = None
    appointment_required: bool | None = None
    include_mobile: bool = True
    weekday: int | None = None


@dataclass(eq=False)
class IndexedSite:
    """A site as the search needs it: what it is filtered on, and its answer, built once, with its
    opening state rebuilt only when the instant asked leaves the span where that state holds."""

    row: Site
    lat: float
    lon: float
    answer: dict[str, Any]  # SiteOut in JSON form, opening state null
    _since: dt.datetime = field(default=_END_OF_TIME, repr=False)  # the span where the state below holds
    _until: dt.datetime = field(default=_END_OF_TIME, repr=False)
    _answer_at: dict[str, Any] = field(default_factory=dict, repr=False)
    _json_at: orjson.Fragment | None = field(default=None, repr=False)

    def _refresh(self, at: dt.datetime) -> None:
        site = self.row
        if not self._since <= at < self._until:
            answer = self.answer
            if site.hours_known:
                state = opening_state(site.opening_hours, site.departement, at)
                opening = state.next_opening
                answer = answer | {
                    "open_now": state.open_now,
                    "next_opening": (
                        {"start": opening.start.isoformat(), "end": opening.end.isoformat()}
                        if opening
                        else None
                    ),
                }
                self._until = state.valid_until
            else:
                self._until = _END_OF_TIME
            self._since, self._answer_at, self._json_at = at, answer, orjson.Fragment(orjson.dumps(answer))

    def answer_at(self, at: dt.datetime) -> dict[str, Any]:
        """The ``SiteOut`` JSON with its opening state at ``at`` (null when no hours are published)."""
        self._refresh(at)
        return self._answer_at

    def serialised_answer_at(self, at: dt.datetime) -> orjson.Fragment:
        """``answer_at`` already serialised, for orjson to copy into a response as it is."""
        self._refresh(at)
        assert self._json_at is not None
        return self._json_at

    def is_open_at(self, at: dt.datetime) -> bool:
        """Open at ``at``; a naive ``at`` is read in the site's own time zone."""
        site = self.row
        if not site.hours_known:
            return False
        instant = at if at.tzinfo else at.replace(tzinfo=territories.zone(site.departement))
        return is_open(site.opening_hours, site.departement, instant)


class SiteIndex:
    """The sites of a snapshot in id order, as parallel arrays, and a KD-tree over them."""

    def __init__(self, sites: list[IndexedSite], communes: Communes) -> None:
        self.sites = sites
        self._position = {id(s): i for i, s in enumerate(sites)}
        rows = [s.row for s in sites]
        self._tree = cKDTree(unit_xyz(np.array([s.lat for s in sites]), np.array([s.lon for s in sites])))
        self._columns = {
            name: np.array([getattr(r, name) for r in rows], dtype=dtype)
            for name, dtype in (
                ("departement", object),
                ("insee_code", object),
                ("kind", object),
                ("is_mobile", bool),
                ("appointment_required", bool),
            )
        }
        self._partners = {
            code: np.array([code in r.partners for r in rows], dtype=bool)
            for code in {p for r in rows for p in r.partners}
        }
        self._weekdays = np.array(
            [[open_on_weekday(r.opening_hours, d) for d in range(7)] for r in rows], dtype=bool
        ).reshape(len(rows), 7)
        # Each site: its commune's classes and road territory (the nearest commune centre's when its
        # code is not a current commune).
        self.whereabouts = [communes.locate(s.lat, s.lon, s.row.insee_code) for s in sites]
        self.density = np.array([w.end.density for w in self.whereabouts], dtype=np.int64)
        self.terrain = np.array([w.end.terrain for w in self.whereabouts], dtype=np.int64)
        self._columns["territory"] = np.array([w.territory.id for w in self.whereabouts], dtype=object)
        self._territory_sizes = dict(
            zip(*np.unique(self._columns["territory"], return_counts=True), strict=True)
        )

    def __len__(self) -> int:
        return len(self.sites)

    def has_sites_in(self, territory: RoadTerritory) -> bool:
        return self._territory_sizes.get(territory.id, 0) > 0

    def site_end(self, site: IndexedSite) -> TripEnd:
        return self.whereabouts[self._position[id(site)]].end

    def matching(self, filters: SiteFilters) -> list[IndexedSite]:
        """The sites passing ``filters``, in id order (the site list)."""
        allowed = self._mask(filters, None)
        return self.sites if allowed is None else [self.sites[i] for i in np.flatnonzero(allowed)]

    def _mask(self, filters: SiteFilters, territory: RoadTerritory | None) -> np.ndarray | None:
        c = self._columns
        masks = []
        if territory is not None:
            masks.append(c["territory"] == territory.id)
        if filters.departement:
            masks.append(c["departement"] == filters.departement)
        if filters.insee_code:
            masks.append(c["insee_code"] == filters.insee_code)
        if filters.kinds:
            masks.append(np.isin(c["kind"], list(filters.kinds)))
        if filters.partner:
            masks.append(self._partners.get(filters.partner, np.zeros(len(self), dtype=bool)))
        if filters.appointment_required is not None:
            masks.append(c["appointment_required"] == filters.appointment_required)
        if not filters.include_mobile:
            masks.append(~c["is_mobile"])
        if filters.weekday is not None:
            masks.append(self._weekdays[:, filters.weekday])
        return np.logical_and.reduce(masks) if masks else None

    def nearest(
        self,
        lat: float,
        lon: float,
        filters: SiteFilters,
        *,
        limit: int,
        radius_m: float | None = None,
        keep: Callable[[IndexedSite], bool] | None = None,
        territory: RoadTerritory | None = None,
    ) -> list[tuple[IndexedSite, float]]:
        """Up to ``limit`` sites of ``territory`` passing ``filters`` and ``keep``, nearest first, with
        their distance in metres. The tree is asked for the ``limit`` nearest; when filters reject some,
        for four times more, until enough pass or none is left."""
        if not self.sites:
            return []
        allowed = self._mask(filters, territory)
        point = unit_vector(lat, lon)
        bound = m_to_chord(radius_m, EARTH_RADIUS_M) if radius_m is not None else np.inf
        n, k = len(self), limit
        while True:
            chords, found = self._tree.query(point, k=min(k, n), distance_upper_bound=bound)
            results: list[tuple[IndexedSite, float]] = []
            for chord, i in zip(np.atleast_1d(chords).tolist(), np.atleast_1d(found).tolist(), strict=True):
                if i == n:  # beyond the radius: the tree's "no more neighbours"
                    return results
                site = self.sites[i]
                if (allowed is None or allowed[i]) and (keep is None or keep(site)):
                    results.append((site, 2 * EARTH_RADIUS_M * math.asin(min(chord / 2, 1.0))))
                    if len(results) == limit:
                        return results
            if k >= n:
                return results
            k *= 4
