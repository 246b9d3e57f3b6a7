"""National coverage (every commune against every fixed site) vs a brute force over all pairs; the
shares within 20 and 30 minutes beside the government's published figures; the travel model against
the reference of real car durations (``services/locator/data/road_durations.csv``).

Both compute the same figures from the same tables: population within 30 minutes, its share, the
communes beyond. The service answers from a KD-tree snapshot (cold: read the tables and build it;
warm: the snapshot is kept until the tables change); the brute force computes all 34,969 × ~2,700
great-circle distances with numpy.
"""

import asyncio
import time
import uuid

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.databases import create_and_migrate, drop_database
from fs_common.db import create_engine, make_sessionmaker
from fs_testkit.isolation import PG_BASE
from locator.calibration import calibrate, read_places, read_trips
from locator.config import LocatorSettings
from locator.coverage.answers import coverage
from locator.coverage.cache import CoverageState
from locator.coverage.network import Scope
from locator.data_files import ARRONDISSEMENTS_CSV, COMMUNES_CSV, ROAD_DURATIONS_CSV, SERVICE_DIR, SITES_CSV
from locator.imports import in_transaction, read_source, run_import_communes, run_import_sites
from locator.road_territories import road_territories
from locator.snapshot.tables import Snapshot
from locator.travel.model import PROMISE_MINUTES, TravelModel

R_M = 6_371_008.8

# The government's published figures (France Services, Programme d'investissement / dossiers de presse):
# October 2022, about 2,600 sites: 99 % of the population within 30 minutes, 92 % within 20;
# late 2025, 2,865 sites: 99.7 % within 20 minutes.
PUBLISHED = (
    ("October 2022, ~2,600 sites", {30: 0.99, 20: 0.92}),
    ("late 2025, 2,865 sites", {20: 0.997}),
)


async def read_tables(session: AsyncSession) -> tuple[list, list]:
    """The current communes with a centre and the sites, read apart from the service's snapshot."""
    communes = await session.execute(
        text(
            "SELECT code_insee, departement, zone, population,"
            " ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lon"
            " FROM commune WHERE kind = 'commune-actuelle' AND location IS NOT NULL ORDER BY code_insee"
        )
    )
    sites = await session.execute(
        text(
            "SELECT is_mobile, insee_code, ST_Y(location::geometry) AS lat,"
            " ST_X(location::geometry) AS lon FROM site"
        )
    )
    return communes.all(), sites.all()


def brute_force(model: TravelModel, communes, sites) -> tuple[int, int, int]:
    """(population, population within, communes beyond, not counting territories without a site) from
    every commune × fixed site pair of the same road territory, by the model."""
    territories = road_territories()
    fixed = [s for s in sites if not s.is_mobile]
    by_code = {c.code_insee: c for c in communes}
    ends = {c.code_insee: model.classify(c.population, c.departement, c.zone) for c in communes}
    where = {c.code_insee: territories.of(c.code_insee, c.departement).id for c in communes}
    population = np.array([c.population for c in communes])
    best = np.full(len(communes), np.inf)
    position = {c.code_insee: i for i, c in enumerate(communes)}
    for territory in set(where.values()):
        here = [s for s in fixed if where.get(s.insee_code) == territory and s.insee_code in by_code]
        members = [c for c in communes if where[c.code_insee] == territory]
        if not here:
            continue
        s_lat, s_lon = np.radians([s.lat for s in here]), np.radians([s.lon for s in here])
        s_density = np.array([ends[s.insee_code].density for s in here])
        s_terrain = np.array([ends[s.insee_code].terrain for s in here])
        for start in range(0, len(members), 1000):
            chunk = members[start : start + 1000]
            la = np.radians([c.lat for c in chunk])[:, None]
            lo = np.radians([c.lon for c in chunk])[:, None]
            h = np.sin((s_lat - la) / 2) ** 2 + np.cos(la) * np.cos(s_lat) * np.sin((s_lon - lo) / 2) ** 2
            metres = 2 * R_M * np.arcsin(np.sqrt(h))
            minutes = model.minutes(
                metres,
                np.array([ends[c.code_insee].density for c in chunk])[:, None],
                np.array([ends[c.code_insee].terrain for c in chunk])[:, None],
                s_density,
                s_terrain,
            ).min(axis=1)
            best[[position[c.code_insee] for c in chunk]] = minutes
    within = best <= PROMISE_MINUTES
    return int(population.sum()), int(population[within].sum()), int((~within & np.isfinite(best)).sum())


def shares(communes, answer_20, answer_30) -> None:
    """The shares within 20 and 30 minutes, on three populations, beside the published figures."""
    print("share of the population within 20 / 30 minutes of a fixed France Services (estimate):")
    for label, keep in (
        ("all communes, overseas collectivités included", lambda d: True),
        (
            "metropolitan France and the DROM (without the COM)",
            lambda d: not d.startswith(("975", "977", "978", "98")),
        ),
        ("metropolitan France", lambda d: not d.startswith(("97", "98"))),
    ):
        chosen = [i for i, c in enumerate(communes) if keep(c.departement)]
        population = sum(communes[i].population for i in chosen)
        figures = []
        for answer in (answer_20, answer_30):
            beyond = {c.insee_code for c in answer.communes_beyond}
            beyond |= {code for t in answer.territories_without_site for code in t.communes}
            within = sum(communes[i].population for i in chosen if communes[i].code_insee not in beyond)
            figures.append(within / population)
        print(f"  {label:<52} {figures[0]:7.2%} {figures[1]:7.2%}")
    for label, published in PUBLISHED:
        figures = " ".join(f"{published[m]:7.2%}" if m in published else f"{'—':>7}" for m in (20, 30))
        print(f"  published, {label:<41} {figures}")


def calibration(model: TravelModel) -> None:
    result = calibrate(model, read_trips(ROAD_DURATIONS_CSV), read_places(COMMUNES_CSV, SITES_CSV))
    print("travel model against real car durations:")
    for line in result.lines():
        print(f"  {line}")


async def main() -> None:
    url = f"{PG_BASE}/fs_bench_{uuid.uuid4().hex[:8]}_coverage"
    await asyncio.to_thread(create_and_migrate, SERVICE_DIR, url)
    try:
        await in_transaction(url, lambda s: run_import_communes(s, COMMUNES_CSV, ARRONDISSEMENTS_CSV))
        await in_transaction(url, lambda s: run_import_sites(s, read_source(str(SITES_CSV))))
        engine = create_engine(url, pool_size=2)
        model = TravelModel.from_settings(LocatorSettings())
        state = CoverageState(model)
        async with make_sessionmaker(engine)() as session:
            start = time.perf_counter()
            snapshot = await Snapshot.load(session, model)
            answer = await coverage(state, snapshot, Scope(), minutes=PROMISE_MINUTES, include_mobile=False)
            cold = time.perf_counter() - start
            warm_runs = []
            for _ in range(5):
                start = time.perf_counter()
                await coverage(state, snapshot, Scope(), minutes=PROMISE_MINUTES, include_mobile=False)
                warm_runs.append(time.perf_counter() - start)
            warm = min(warm_runs)

            answer_20 = await coverage(state, snapshot, Scope(), minutes=20, include_mobile=False)
            start = time.perf_counter()
            communes, sites = await read_tables(session)
            load = time.perf_counter() - start
            start = time.perf_counter()
            population, within, beyond = brute_force(model, communes, sites)
            brute = time.perf_counter() - start
        await engine.dispose()
        assert (population, within, beyond) == (
            answer.population,
            answer.population_within,
            len(answer.communes_beyond),
        ), "the brute force and the service disagree"
        print(
            f"national coverage: {answer.communes} communes, share within {PROMISE_MINUTES} min "
            f"{answer.share:.4%}, {len(answer.communes_beyond)} communes beyond (both methods agree)"
        )
        print(f"{'service, cold (read tables + KD-tree)':<44} {cold:8.3f} s")
        print(f"{'service, warm (snapshot cached)':<44} {warm:8.3f} s")
        print(f"{'brute force, all pairs (numpy)':<44} {brute:8.3f} s  (+ {load:.3f} s to read the tables)")
        print(f"speed-up warm vs brute force: {brute / warm:6.1f}×")
        print(f"speed-up cold vs brute force + reading: {(brute + load) / cold:6.1f}×")
        shares(communes, answer_20, answer)
        calibration(model)
    finally:
        await drop_database(url)
