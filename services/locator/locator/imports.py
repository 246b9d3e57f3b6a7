"""The import jobs behind the CLI: communes, then sites, each in one transaction."""

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.db import create_engine, make_sessionmaker
from locator.communes import repository as communes_repository
from locator.communes.importer import CommuneImportResult, import_communes
from locator.itineraries.service import refresh_extracted_stops
from locator.sites import repository as sites_repository
from locator.sites.importer import CommuneIndex, SiteImportReport, parse_csv

BATCH = 500
T = TypeVar("T")


async def in_transaction(database_url: str, job: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``job`` in one transaction on a short-lived engine (CLI and test set-up)."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await job(session)
    finally:
        await engine.dispose()


class ImportSourceError(Exception):
    pass


def read_source(path_or_url: str) -> str:
    """The file's text, from a local path or an http(s) URL."""
    if path_or_url.startswith(("http://", "https://")):
        try:
            response = httpx.get(path_or_url, timeout=60, follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise ImportSourceError(f"téléchargement impossible : {exc}") from exc
        return response.content.decode("utf-8-sig")
    path = Path(path_or_url)
    if not path.is_file():
        raise ImportSourceError(f"fichier introuvable : {path}")
    return path.read_text(encoding="utf-8-sig")


async def run_import_communes(
    session: AsyncSession, communes_csv: Path, arrondissements_csv: Path | None
) -> CommuneImportResult:
    result = await import_communes(session, communes_csv, arrondissements_csv)
    await session.execute(text("ANALYZE commune"))
    return result


async def run_import_sites(
    session: AsyncSession,
    content: str,
    *,
    on_start: Callable[[int], None] | None = None,
    on_row: Callable[[], None] | None = None,
) -> SiteImportReport:
    """Parse, normalise and upsert every site; the caller's transaction makes it all-or-nothing."""
    if await communes_repository.count(session) == 0:
        raise ImportSourceError("la table des communes est vide : lancez d'abord « locator import-communes »")
    index = CommuneIndex(await communes_repository.all_refs(session))
    if on_start:
        on_start(max(content.count("\n") - 1, 0))
    report = SiteImportReport()
    try:
        sites = parse_csv(content, index, report, on_row)
    except ValueError as exc:
        raise ImportSourceError(str(exc)) from exc
    for start in range(0, len(sites), BATCH):
        await sites_repository.upsert_many(session, sites[start : start + BATCH])
    report.imported = len(sites)
    # Mobile sites: their stops, re-read from the comment (admin-made stops are left alone).
    await refresh_extracted_stops(session, sites, content, index.by_code.values(), report)
    await session.execute(text("ANALYZE site"))
    return report
