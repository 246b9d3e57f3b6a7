"""National coverage (every commune against every fixed site) vs a brute force over all pairs.

Both compute the same figures from the same tables: population within 30 minutes, its share, the
communes beyond. The service answers from a KD-tree snapshot (cold: read the tables and build it;
warm: the snapshot is cached until the tables change); the brute force computes all 34,969 × ~2,700
great-circle distances with numpy.
"""

import asyncio
import time
import uuid

import numpy as np

from fs_common.databases import create_and_migrate, drop_database
from fs_common.db import create_engine, make_sessionmaker
from fs_common.testing import PG_BASE
from locator.config import LocatorSettings
from locator.coverage import repository
from locator.coverage.service import CoverageState, Scope, coverage
from locator.data_files import ARRONDISSEMENTS_CSV, COMMUNES_CSV, SERVICE_DIR, SITES_CSV
from locator.imports import in_transaction, read_source, run_import_communes, run_import_sites
from locator.travel import PROMISE_MINUTES, TravelModel

R_M = 6_371_008.8


def brute_force(model: TravelModel, communes, sites) -> tuple[int, int, int]:  # noqa: ANN001
    """(population, population within, communes beyond) from every commune × site pair."""
    fixed = [s for s in sites if not s.is_mobile]
    s_lat, s_lon = np.radians([s.lat for s in fixed]), np.radians([s.lon for s in fixed])
    lat, lon = np.radians([c.lat for c in communes]), np.radians([c.lon for c in communes])
    speeds = np.array(
        [model.speeds_kmh[model.classify(c.population, c.departement, c.zone)] for c in communes]
    )
    population = np.array([c.population for c in communes])
    nearest_m = np.empty(len(communes))
    for start in range(0, len(communes), 1000):
        la, lo = lat[start : start + 1000, None], lon[start : start + 1000, None]
        h = np.sin((s_lat - la) / 2) ** 2 + np.cos(la) * np.cos(s_lat) * np.sin((s_lon - lo) / 2) ** 2
        nearest_m[start : start + 1000] = (2 * R_M * np.arcsin(np.sqrt(h))).min(axis=1)
    within = model.minutes_array(nearest_m, speeds) <= PROMISE_MINUTES
    return int(population.sum()), int(population[within].sum()), int((~within).sum())


async def main() -> None:
    url = f"{PG_BASE}/fs_bench_{uuid.uuid4().hex[:8]}_coverage"
    await asyncio.to_thread(create_and_migrate, SERVICE_DIR, url)
    try:
        await in_transaction(url, lambda s: run_import_communes(s, COMMUNES_CSV, ARRONDISSEMENTS_CSV))
        await in_transaction(url, lambda s: run_import_sites(s, read_source(str(SITES_CSV))))
        engine = create_engine(url, pool_size=2)
        model = TravelModel.from_settings(LocatorSettings())
        async with make_sessionmaker(engine)() as session:
            state = CoverageState(model)
            start = time.perf_counter()
            answer = await coverage(state, session, Scope(), minutes=PROMISE_MINUTES, include_mobile=False)
            cold = time.perf_counter() - start
            warm_runs = []
            for _ in range(5):
                start = time.perf_counter()
                await coverage(state, session, Scope(), minutes=PROMISE_MINUTES, include_mobile=False)
                warm_runs.append(time.perf_counter() - start)
            warm = min(warm_runs)

            start = time.perf_counter()
            communes, sites = await repository.communes(session), await repository.sites(session)
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
    finally:
        await drop_database(url)
