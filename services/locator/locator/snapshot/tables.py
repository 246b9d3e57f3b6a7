"""One snapshot of the tables, read in one go: the current communes (and every commune row, for the
offline geocoder), the sites with their search index, and the stops of mobile services (coverage)."""

from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from locator.communes import repository as communes_repository
from locator.geocoding.gazetteer import Gazetteer
from locator.itineraries import repository as stops_repository
from locator.sites import repository as sites_repository
from locator.sites.index import IndexedSite, SiteIndex
from locator.sites.schemas import SiteOut
from locator.snapshot.communes import Communes
from locator.travel.model import TravelModel


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Immutable once loaded: a reload builds a new one, and the old one answers until it is ready."""

    communes: Communes
    sites: SiteIndex
    stops: list  # rows: id, name, visits, insee_code, site_name, site_insee_code, lat, lon
    gazetteer: Gazetteer

    @classmethod
    async def load(cls, session: AsyncSession, model: TravelModel) -> "Snapshot":
        refs = await communes_repository.all_refs(session)
        communes = Communes(refs, model)
        sites = [
            IndexedSite(r.Site, r.lat, r.lon, SiteOut.of(r.Site, r.lat, r.lon).model_dump(mode="json"))
            for r in await sites_repository.all_located(session)
        ]
        return cls(
            communes=communes,
            sites=SiteIndex(sites, communes),
            stops=await stops_repository.all_listed(session),
            gazetteer=Gazetteer(refs),
        )

    async def with_stops(self, session: AsyncSession) -> "Snapshot":
        """This snapshot with the stops read again: a stop edit changes no site and no commune."""
        return replace(self, stops=await stops_repository.all_listed(session))
