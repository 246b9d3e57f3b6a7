"""Road times from the routing engine in place of the estimate: each commune's ``candidates`` nearest
places (in straight line, within its road territory) are sent to the engine, and the quickest road time,
plus the model's fixed minutes, wins. A commune is asked once per snapshot (``Reach.refined``)."""

import numpy as np

from locator.coverage.network import Network, Reach
from locator.travel.osrm import OsrmClient

ENGINE_BATCH = 25  # origins per routing-engine table request


async def road_reach(
    engine: OsrmClient, candidates: int, network: Network, include_mobile: bool, mask: np.ndarray
) -> Reach:
    """The estimate with road times for every commune of ``mask`` that has a place in its territory; the
    caller holds the lock that keeps two requests from refining the same reach."""
    estimate = network.estimate(include_mobile)
    reach = network.engine_reach.setdefault(
        include_mobile,
        Reach(
            estimate.places,
            estimate.minutes.copy(),
            estimate.target.copy(),
            estimate.ferry,  # ferried communes keep the estimate: their territory has no place to route to
            np.zeros(len(network.communes.codes), dtype=bool),
        ),
    )
    assert reach.refined is not None
    todo = np.flatnonzero(mask & ~reach.refined & ~network.without_place(reach.places))
    for start in range(0, len(todo), ENGINE_BATCH):
        await _refine(engine, candidates, network, reach, todo[start : start + ENGINE_BATCH])
    return reach


async def _refine(
    engine: OsrmClient, candidates: int, network: Network, reach: Reach, origins: np.ndarray
) -> None:
    assert reach.refined is not None
    for group, nearest, _ in network.timed_candidates(reach.places, origins, candidates):
        destinations = np.unique(nearest)
        column = {int(d): j for j, d in enumerate(destinations)}
        table = await engine.table_minutes(
            [(network.communes.lat[i], network.communes.lon[i]) for i in group],
            [(reach.places.lat[d], reach.places.lon[d]) for d in destinations],
        )
        for row, i in enumerate(group):
            times = [(table[row][column[int(c)]], int(c)) for c in nearest[row]]
            routed = [(t, c) for t, c in times if t is not None]
            best, target = min(routed) if routed else (np.inf, -1)
            reach.minutes[i] = best + network.model.fixed_minutes
            reach.target[i] = target
    reach.refined[origins] = True
