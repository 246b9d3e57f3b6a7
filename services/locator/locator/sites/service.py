"""Rules of the site search: filters, opening-time evaluation, travel time, result shaping."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.errors import NotFound
from locator import territories
from locator.sites import repository
from locator.sites.models import Site
from locator.sites.opening_hours import is_open, next_opening
from locator.sites.repository import SiteFilters
from locator.sites.schemas import (
    Address,
    NearestSite,
    OpeningPeriod,
    Point,
    SiteOut,
    SitePage,
    day_hours,
    partner_out,
)
from locator.travel import PROMISE_MINUTES, OsrmClient, apply_road_times, configured_model, origin_territory

_BATCH = 100


@dataclass(frozen=True)
class OpenFilter:
    """Keep only sites open at ``at``; a naive ``at`` is read in each site's own time zone."""

    at: dt.datetime


def _instant_for(site: Site, at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=territories.zone(site.departement))


# What does not depend on the instant, per (site id, last update): built and validated once.
_STATIC_FIELDS: dict[tuple[int, dt.datetime], dict] = {}
_STATIC_FIELDS_MAX = 20_000


def _static_fields(site: Site, lat: float, lon: float) -> dict:
    key = (site.id, site.updated_at)
    fields = _STATIC_FIELDS.get(key)
    if fields is None:
        if len(_STATIC_FIELDS) >= _STATIC_FIELDS_MAX:  # stale versions after many imports
            _STATIC_FIELDS.clear()
        fields = dict(
            SiteOut(
                id=site.id,
                name=site.name,
                kind=site.kind,
                is_mobile=site.is_mobile,
                address=Address(
                    street=site.address,
                    complement=site.address_complement,
                    postcode=site.postcode,
                    commune=site.commune_name,
                    insee_code=site.insee_code,
                    departement=site.departement,
                ),
                location=Point(lat=lat, lon=lon),
                timezone=site.timezone,
                phone=site.phone,
                email=site.email,
                opening_hours=day_hours(site.opening_hours),
                hours_known=site.hours_known,
                open_now=None,
                next_opening=None,
                appointment_required=site.appointment_required,
                partners=[partner_out(p) for p in site.partners],
                comment=site.comment,
                labelled_since=site.labelled_since,
            )
        )
        _STATIC_FIELDS[key] = fields
    return fields


def site_out(site: Site, lat: float, lon: float, at: dt.datetime) -> SiteOut:
    """The site as answered, its opening state evaluated at ``at`` (the rest is cached)."""
    opening = next_opening(site.opening_hours, site.departement, at) if site.hours_known else None
    return SiteOut.model_construct(
        **_static_fields(site, lat, lon)
        | {
            "open_now": is_open(site.opening_hours, site.departement, at) if site.hours_known else None,
            "next_opening": OpeningPeriod(start=opening.start, end=opening.end) if opening else None,
        }
    )


async def get_site(session: AsyncSession, site_id: int, now: dt.datetime) -> SiteOut:
    row = await repository.get(session, site_id)
    if row is None:
        raise NotFound(f"Aucune France Services n'a l'identifiant {site_id}.")
    return site_out(row.Site, row.lat, row.lon, now)


async def list_sites(
    session: AsyncSession, filters: SiteFilters, *, offset: int, limit: int, now: dt.datetime
) -> SitePage:
    total, rows = await repository.page(session, filters, offset=offset, limit=limit)
    return SitePage(
        total=total, offset=offset, limit=limit, items=[site_out(r.Site, r.lat, r.lon, now) for r in rows]
    )


async def nearest_sites(
    session: AsyncSession,
    lat: float,
    lon: float,
    filters: SiteFilters,
    *,
    limit: int,
    radius_m: float | None,
    open_filter: OpenFilter | None,
    now: dt.datetime,
    routing: OsrmClient | None = None,
) -> list[NearestSite]:
    """The ``limit`` nearest sites passing every filter; opening filters are applied in Python, in
    each site's time zone, so candidates are read in distance order until enough pass. With a routing
    engine, its road times replace the estimate wherever it finds a road."""
    results: list[NearestSite] = []
    offset = 0
    model, territory = configured_model(), await origin_territory(session, lat, lon)
    while len(results) < limit:
        batch = limit if open_filter is None else _BATCH
        rows = await repository.nearest(
            session, lat, lon, filters, limit=batch, offset=offset, radius_m=radius_m
        )
        for row in rows:
            site: Site = row.Site
            if open_filter and not (
                site.hours_known
                and is_open(site.opening_hours, site.departement, _instant_for(site, open_filter.at))
            ):
                continue
            minutes = model.estimate_minutes(row.distance_m, territory)
            results.append(
                NearestSite(
                    site=site_out(site, row.lat, row.lon, now),
                    distance_m=round(row.distance_m),
                    travel_time_min=round(minutes),
                    within_30_min=minutes <= PROMISE_MINUTES,
                )
            )
            if len(results) == limit:
                break
        if len(rows) < batch:
            break
        offset += batch
    await apply_road_times(
        routing, (lat, lon), results, [(r.site.location.lat, r.site.location.lon) for r in results]
    )
    return results
