"""Rules of the site search: filters, opening-time evaluation, travel time, result shaping."""

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.errors import NotFound
from locator.sites import repository
from locator.sites.index import IndexedSite, SiteFilters, SiteIndex
from locator.sites.models import Site
from locator.sites.opening_hours import Opening, opening_state
from locator.sites.schemas import OpeningPeriod, SiteOut, SitePage
from locator.snapshot.communes import Whereabouts
from locator.travel.model import PROMISE_MINUTES, TravelModel
from locator.travel.osrm import OsrmClient, apply_road_times


@dataclass(frozen=True)
class OpenFilter:
    """Keep only sites open at ``at``; a naive ``at`` is read in each site's own time zone."""

    at: dt.datetime


def opening_period(opening: Opening | None) -> OpeningPeriod | None:
    return OpeningPeriod(start=opening.start, end=opening.end) if opening else None


def site_out(site: Site, lat: float, lon: float, at: dt.datetime) -> SiteOut:
    """The site as answered, its opening state evaluated at ``at``."""
    answer = SiteOut.of(site, lat, lon)
    if site.hours_known:
        state = opening_state(site.opening_hours, site.departement, at)
        answer.open_now = state.open_now
        answer.next_opening = opening_period(state.next_opening)
    return answer


async def get_site(session: AsyncSession, site_id: int, now: dt.datetime) -> SiteOut:
    row = await repository.get(session, site_id)
    if row is None:
        raise NotFound(f"Aucune France Services n'a l'identifiant {site_id}.")
    return site_out(row.Site, row.lat, row.lon, now)


def list_sites(
    index: SiteIndex, filters: SiteFilters, *, offset: int, limit: int, now: dt.datetime
) -> SitePage:
    """A page of the sites passing ``filters``, in id order, from the worker's snapshot."""
    found = index.matching(filters)
    return SitePage(
        total=len(found),
        offset=offset,
        limit=limit,
        items=[site_out(s.row, s.lat, s.lon, now) for s in found[offset : offset + limit]],
    )


@dataclass
class SiteHit:
    """One nearest result; ``as_json`` is its ``NearestSite`` form, built without a model on this hot path
    (a test holds the response to the schema)."""

    site: IndexedSite
    distance_m: int
    travel_time_min: int
    within_30_min: bool
    travel_time_source: Literal["estimate", "routing_engine"] = "estimate"

    def as_json(self, at: dt.datetime) -> dict[str, Any]:
        return self._shaped(self.site.answer_at(at))

    def as_serialised(self, at: dt.datetime) -> dict[str, Any]:
        """``as_json`` with the site already serialised (orjson copies it): the response's hot path."""
        return self._shaped(self.site.serialised_answer_at(at))

    def _shaped(self, site: Any) -> dict[str, Any]:
        return {
            "site": site,
            "distance_m": self.distance_m,
            "travel_time_min": self.travel_time_min,
            "travel_time_source": self.travel_time_source,
            "within_30_min": self.within_30_min,
        }


def require_sites_in(index: SiteIndex, where: Whereabouts) -> None:
    """No road leaves the searched place's territory: say so when it has no France Services at all."""
    if not index.has_sites_in(where.territory):
        raise NotFound(
            f"Aucune France Services dans ce territoire ({where.territory.name}) : aucune route n'y mène "
            "à une France Services, nous ne pouvons donc pas indiquer de temps de trajet."
        )


async def nearest_sites(
    index: SiteIndex,
    model: TravelModel,
    lat: float,
    lon: float,
    where: Whereabouts,
    filters: SiteFilters,
    *,
    limit: int,
    radius_m: float | None,
    open_filter: OpenFilter | None,
    routing: OsrmClient | None = None,
) -> list[SiteHit]:
    """The ``limit`` nearest sites of the searched place's road territory passing every filter, from the
    in-memory index; opening filters are evaluated in each site's time zone. With a routing engine, its
    road times replace the estimate wherever it finds a road."""
    require_sites_in(index, where)
    keep = (lambda site: site.is_open_at(open_filter.at)) if open_filter else None
    hits = []
    for site, distance_m in index.nearest(
        lat, lon, filters, limit=limit, radius_m=radius_m, keep=keep, territory=where.territory
    ):
        minutes = model.estimate_minutes(distance_m, where.end, index.site_end(site))
        hits.append(SiteHit(site, round(distance_m), round(minutes), minutes <= PROMISE_MINUTES))
    await apply_road_times(
        routing, model.fixed_minutes, (lat, lon), hits, [(h.site.lat, h.site.lon) for h in hits]
    )
    return hits
