"""Rules of the itineraries: the date window, next visits, nearest stops and access points, the
admin edits and the refresh of the stops extracted from the national list."""

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from fs_common import territories
from fs_common.errors import NotFound, Unprocessable
from locator.communes.repository import CommuneRef
from locator.itineraries import repository
from locator.itineraries.extraction import (
    CommuneNames,
    ExtractedStop,
    communes_by_departement,
    extract_stops,
)
from locator.itineraries.models import ADMIN, COMMENT, REMOVED, Stop
from locator.itineraries.schemas import (
    AccessPoint,
    Itinerary,
    NearestStop,
    PointIn,
    SiteRef,
    StopCreate,
    StopOut,
    StopUpdate,
    VisitOut,
    VisitRule,
    Window,
)
from locator.itineraries.visits import visits_between
from locator.sites import repository as sites_repository
from locator.sites import service as sites_service
from locator.sites.importer import SiteImportReport
from locator.sites.index import SiteFilters
from locator.sites.models import MOBILE_KINDS, Site
from locator.sites.schemas import NearestSite, Origin, Point
from locator.snapshot.communes import Whereabouts
from locator.snapshot.tables import Snapshot
from locator.text import search_key
from locator.travel.model import PROMISE_MINUTES, TravelModel
from locator.travel.osrm import OsrmClient, apply_road_times

DEFAULT_WINDOW_DAYS = 14
MAX_WINDOW_DAYS = 92
_BATCH = 100


def window(date_from: dt.date | None, date_to: dt.date | None, now: dt.datetime) -> Window:
    """The date window, by default today (in metropolitan France) and the next 14 days."""
    first = date_from or now.astimezone(territories.zone("75")).date()
    last = date_to or first + dt.timedelta(days=DEFAULT_WINDOW_DAYS)
    if last < first:
        raise Unprocessable(f"La fin de la période ({last}) précède son début ({first}).")
    if (last - first).days > MAX_WINDOW_DAYS:
        raise Unprocessable(f"La période demandée dépasse {MAX_WINDOW_DAYS} jours : réduisez-la.")
    return Window(date_from=first, date_to=last)


def site_ref(site: Site) -> SiteRef:
    return SiteRef(id=site.id, name=site.name, kind=site.kind, phone=site.phone)


def stop_out(stop: Stop, lat: float, lon: float, site: Site, span: Window, now: dt.datetime) -> StopOut:
    visits = visits_between(
        stop.visits,
        site.departement,
        span.date_from,
        span.date_to,
        site_hours=site.opening_hours,
        after=now,
    )
    return StopOut(
        id=stop.id,
        site=site_ref(site),
        name=stop.name,
        address=stop.address,
        insee_code=stop.insee_code,
        commune=stop.commune_name,
        location=Point(lat=lat, lon=lon),
        timezone=site.timezone,
        source=stop.source,
        visits=[VisitRule.from_stored(rule) for rule in stop.visits],
        next_visits=[VisitOut(date=v.day, start=v.start, end=v.end) for v in visits],
    )


async def _site(session: AsyncSession, site_id: int) -> Site:
    row = await sites_repository.get(session, site_id)
    if row is None:
        raise NotFound(f"Aucune France Services n'a l'identifiant {site_id}.")
    return row.Site


async def itinerary(session: AsyncSession, site_id: int, span: Window, now: dt.datetime) -> Itinerary:
    site = await _site(session, site_id)
    rows = await repository.of_site(session, site_id)
    return Itinerary(
        site=site_ref(site),
        window=span,
        stops=[stop_out(r.Stop, r.lat, r.lon, site, span, now) for r in rows],
    )


@dataclass(frozen=True)
class Around:
    """Where and when a nearest search looks: the searched point, its road territory and classes, the
    date window, the instant of the request, how many results and how far."""

    origin: Origin
    whereabouts: Whereabouts
    span: Window
    now: dt.datetime
    limit: int
    radius_m: float | None


async def nearest_stops(
    session: AsyncSession,
    snapshot: Snapshot,
    model: TravelModel,
    around: Around,
    *,
    upcoming_only: bool,
    routing: OsrmClient | None = None,
) -> list[NearestStop]:
    """The ``limit`` nearest stops of the searched place's road territory; with ``upcoming_only``, those
    with a visit in the window. With a routing engine, its road times replace the estimate wherever it
    finds a road."""
    lat, lon, where, limit = around.origin.lat, around.origin.lon, around.whereabouts, around.limit
    sites_service.require_sites_in(snapshot.sites, where)
    results: list[NearestStop] = []
    offset = 0
    while len(results) < limit:
        batch = max(limit, _BATCH)
        rows = await repository.nearest(
            session, lat, lon, limit=batch, offset=offset, radius_m=around.radius_m
        )
        for row in rows:
            there = snapshot.communes.locate(row.lat, row.lon, row.Stop.insee_code)
            if there.territory != where.territory:
                continue
            stop = stop_out(row.Stop, row.lat, row.lon, row.Site, around.span, around.now)
            if upcoming_only and not stop.next_visits:
                continue
            minutes = model.estimate_minutes(row.distance_m, where.end, there.end)
            results.append(
                NearestStop(
                    stop=stop,
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
        routing,
        model.fixed_minutes,
        (lat, lon),
        results,
        [(r.stop.location.lat, r.stop.location.lon) for r in results],
    )
    return results


async def access_points(
    session: AsyncSession,
    snapshot: Snapshot,
    model: TravelModel,
    around: Around,
    *,
    routing: OsrmClient | None = None,
) -> list[AccessPoint]:
    """Fixed places (sites other than mobile home bases) and stops with a visit in the window, of the
    searched place's road territory, ranked by travel time, then distance."""
    sites = await sites_service.nearest_sites(
        snapshot.sites,
        model,
        around.origin.lat,
        around.origin.lon,
        around.whereabouts,
        SiteFilters(include_mobile=False),
        limit=around.limit,
        radius_m=around.radius_m,
        open_filter=None,
        routing=routing,
    )
    stops = await nearest_stops(session, snapshot, model, around, upcoming_only=True, routing=routing)
    points = [AccessPoint.of_site(NearestSite.model_validate(s.as_json(around.now))) for s in sites]
    points += [AccessPoint.of_stop(s) for s in stops]
    points.sort(key=lambda p: (p.travel_time_min, p.distance_m))
    return points[: around.limit]


# Admin edits


async def _mobile_site(session: AsyncSession, site_id: int) -> Site:
    site = await _site(session, site_id)
    if site.kind not in MOBILE_KINDS:
        raise Unprocessable(
            f"La France Services {site_id} est une structure fixe ({site.kind}) : seuls les bus et "
            "services itinérants ont des arrêts."
        )
    return site


async def _place(session: AsyncSession, insee_code: str | None, location: PointIn | None) -> dict:
    """Commune and point of a stop: the commune must exist; without a point, its centre."""
    values: dict = {}
    if insee_code is not None:
        commune = await repository.commune(session, insee_code)
        if commune is None:
            raise Unprocessable(f"Le code INSEE {insee_code} ne correspond à aucune commune.")
        if commune.lat is None and location is None:
            raise Unprocessable(f"La commune {commune.name} n'a pas de centre connu : donnez location.")
        values |= {"insee_code": commune.code_insee, "commune_name": commune.name}
        if location is None:
            values |= {"lat": commune.lat, "lon": commune.lon}
    if location is not None:
        values |= {"lat": location.lat, "lon": location.lon}
        if insee_code is None:
            values |= {"insee_code": None, "commune_name": None}
    return values


async def create_stop(session: AsyncSession, site_id: int, body: StopCreate, now: dt.datetime) -> StopOut:
    site = await _mobile_site(session, site_id)
    values = {
        "site_id": site_id,
        "name": body.name,
        "address": body.address,
        "visits": [rule.stored() for rule in body.visits],
        "source": ADMIN,
    } | await _place(session, body.insee_code, body.location)
    stop_id = await repository.insert(session, values)
    return await get_stop(session, site, stop_id, now)


async def get_stop(session: AsyncSession, site: Site, stop_id: int, now: dt.datetime) -> StopOut:
    row = await repository.get(session, site.id, stop_id)
    if row is None:
        raise NotFound(f"La France Services {site.id} n'a pas d'arrêt {stop_id}.")
    return stop_out(row.Stop, row.lat, row.lon, site, window(None, None, now), now)


async def update_stop(
    session: AsyncSession, site_id: int, stop_id: int, body: StopUpdate, now: dt.datetime
) -> StopOut:
    """Edits a stop; an extracted stop becomes the admin's (the next import leaves it alone)."""
    site = await _mobile_site(session, site_id)
    if await repository.get(session, site_id, stop_id) is None:
        raise NotFound(f"La France Services {site_id} n'a pas d'arrêt {stop_id}.")
    given = body.model_fields_set
    values: dict = {"source": ADMIN}
    for name in ("name", "address"):
        if name in given:
            values[name] = getattr(body, name)
    if "visits" in given:
        if body.visits is None:
            raise Unprocessable("visits ne peut pas être null : envoyez [] pour retirer les passages.")
        values["visits"] = [rule.stored() for rule in body.visits]
    if given & {"insee_code", "location"}:
        values |= await _place(session, body.insee_code, body.location)
    await repository.update_one(session, stop_id, values)
    return await get_stop(session, site, stop_id, now)


async def delete_stop(session: AsyncSession, site_id: int, stop_id: int) -> None:
    """An admin's stop is deleted; an extracted one is hidden, so that re-imports leave it out."""
    await _mobile_site(session, site_id)
    row = await repository.get(session, site_id, stop_id)
    if row is None:
        raise NotFound(f"La France Services {site_id} n'a pas d'arrêt {stop_id}.")
    if row.Stop.source == COMMENT:
        await repository.update_one(session, stop_id, {"source": REMOVED})
    else:
        await repository.delete_ids(session, [stop_id])


# Import


@dataclass(frozen=True)
class _MobileSite:
    id: int
    line: int
    departement: str
    comment: str | None
    lat: float
    lon: float


def _mobile_sites(sites: Iterable[dict], content: str) -> list[_MobileSite]:
    """The mobile sites, with their line in the source file (for the report)."""
    reader = csv.DictReader(io.StringIO(content))
    lines = {row.get("id_fs", "").strip(): reader.line_num for row in reader}
    return [
        _MobileSite(s["id"], lines.get(str(s["id"]), 0), s["departement"], s["comment"], s["lat"], s["lon"])
        for s in sites
        if s["is_mobile"]
    ]


async def refresh_extracted_stops(
    session: AsyncSession,
    sites: Iterable[dict],
    content: str,
    communes: Iterable[CommuneRef],
    report: SiteImportReport,
) -> int:
    """Re-extract the stops of every mobile site (import rows in ``sites``, read from ``content``)
    from its comment and bring the table in line: unchanged stops keep their id, changed ones are
    updated, vanished ones deleted. Stops made or edited through the admin API are never touched, and
    an extracted stop with the same commune and name as one of them is not added again. Each site's
    result goes to ``report`` (field ``commentaire``). Returns the number of extracted stops."""
    by_departement = communes_by_departement(communes)
    mobile = _mobile_sites(sites, content)
    existing: dict[int, list] = {}
    for row in await repository.of_sites(session, [s.id for s in mobile]):
        existing.setdefault(row.Stop.site_id, []).append(row)
    total = 0
    for site in mobile:
        names = by_departement.get(site.departement) or CommuneNames([])
        extraction = extract_stops(site.comment, names, base=(site.lat, site.lon))
        for problem in extraction.problems:
            report.add(site.line, str(site.id), "commentaire", "note", problem)
        if site.comment and extraction.stops:
            report.add(
                site.line,
                str(site.id),
                "commentaire",
                "note",
                f"{len(extraction.stops)} arrêt(s) extrait(s) : "
                + ", ".join(f"{s.name} ({_days(s)})" for s in extraction.stops),
            )
        total += await _sync_site(session, site.id, extraction.stops, existing.get(site.id, []))
    return total


def _days(stop: ExtractedStop) -> str:
    names = ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"]
    days = sorted({d for rule in stop.visits for d in rule["weekdays"]})
    return "/".join(names[d] for d in days)


def _key(insee_code: str | None, name: str) -> tuple[str | None, str]:
    return insee_code, search_key(name)


async def _sync_site(session: AsyncSession, site_id: int, extracted: list[ExtractedStop], rows: list) -> int:
    # Admin-made, admin-edited and admin-removed stops are never extracted again.
    admin_keys = {_key(r.Stop.insee_code, r.Stop.name) for r in rows if r.Stop.source in (ADMIN, REMOVED)}
    current = {_key(r.Stop.insee_code, r.Stop.name): r for r in rows if r.Stop.source == COMMENT}
    kept: set[tuple[str | None, str]] = set()
    count = 0
    for stop in extracted:
        key = _key(stop.insee_code, stop.name)
        if key in admin_keys or key in kept:
            continue
        kept.add(key)
        count += 1
        values = {
            "site_id": site_id,
            "name": stop.name,
            "address": stop.address,
            "insee_code": stop.insee_code,
            "commune_name": stop.commune_name,
            "lat": stop.lat,
            "lon": stop.lon,
            "visits": stop.visits,
            "source": COMMENT,
        }
        row = current.get(key)
        if row is None:
            await repository.insert(session, values)
        elif _changed(row, values):
            await repository.update_one(session, row.Stop.id, values)
    await repository.delete_ids(session, [r.Stop.id for k, r in current.items() if k not in kept])
    return count


def _changed(row, values: dict) -> bool:
    stop: Stop = row.Stop
    return (
        stop.name != values["name"]
        or stop.address != values["address"]
        or stop.commune_name != values["commune_name"]
        or stop.visits != values["visits"]
        or abs(row.lat - values["lat"]) > 1e-7
        or abs(row.lon - values["lon"]) > 1e-7
    )
