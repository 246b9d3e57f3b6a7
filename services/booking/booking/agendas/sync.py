"""``booking sync-agendas``: the agendas follow the locator, one département at a time.

A whole sync (every site, every bus stop: thousands of rows and a request per bus) takes tens of
seconds; in one transaction, one request lost midway (the locator still starting, or reloading) threw
it all away. Here each département is its own step in its own transaction: the sites are listed (pages
of ``GET /v1/sites``, grouped by département), then each département not done yet is synced and
committed. A département whose locator request fails is rolled back alone and left for the next
attempt, the others go on; the next attempt lists again and syncs only what is not done. The report
adds up the committed steps of every attempt, so it counts the whole sync once it is complete.
"""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking import clock
from booking.agendas.service import SyncReport, sync_departement
from booking.clients.locator import LocatorClient, LocatorSite, LocatorUnavailable
from booking.config import BookingSettings


class AgendaSync:
    """One sync of the agendas with the locator (of ``departements``; none: every one), attempted until
    complete. Raises ``LocatorUnavailable`` when the sites cannot be listed (nothing done, nothing lost);
    any other error (the database away) leaves what was committed done for the next attempt."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        locator: LocatorClient,
        settings: BookingSettings,
        departements: Sequence[str] = (),
    ) -> None:
        self._sessionmaker = sessionmaker
        self._locator = locator
        self._settings = settings
        self._departements = tuple(departements)
        self.report = SyncReport()
        self.done: set[str] = set()
        self.failed: dict[str, str] = {}  # département → why its last step failed (French detail)

    async def _sites(self) -> dict[str, list[LocatorSite]]:
        by_departement: dict[str, list[LocatorSite]] = {}
        for departement in self._departements or (None,):
            async for site in self._locator.iter_sites(departement):
                by_departement.setdefault(site.address.departement, []).append(site)
        return by_departement

    async def attempt(self, now: dt.datetime | None = None) -> bool:
        """Syncs every département not done yet, each in its own transaction; True when none is left."""
        now = now or clock.now()
        sites = await self._sites()
        self.failed = {}
        for departement in sorted(sites.keys() - self.done):
            try:
                async with self._sessionmaker() as session, session.begin():
                    step = await sync_departement(
                        session, self._locator, self._settings, sites[departement], now
                    )
            except LocatorUnavailable as exc:
                self.failed[departement] = exc.detail
                continue
            self.report.add(step)
            self.done.add(departement)
        return not self.failed
