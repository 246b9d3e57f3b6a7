"""Where to open next: a greedy choice of commune centres that bring the most people within reach."""

import numpy as np
from scipy.spatial import cKDTree

from locator.coverage.cache import CoverageState
from locator.coverage.network import Scope
from locator.coverage.schemas import Suggestion, SuggestionsOut
from locator.geo import EARTH_RADIUS_M, chord_to_m, m_to_chord
from locator.snapshot.tables import Snapshot


async def suggestions(
    state: CoverageState,
    snapshot: Snapshot,
    scope: Scope,
    *,
    minutes: float,
    include_mobile: bool,
    count: int,
) -> SuggestionsOut:
    """Greedy: each round adds a place at the centre of the commune of the scope that brings the most
    people beyond the threshold within it (ties: the smallest INSEE code); stops when none helps."""
    network = state.network(snapshot)
    mask = network.mask(scope)
    reach = await state.reach(network, include_mobile, mask)
    beyond = np.flatnonzero(mask & ~(reach.minutes <= minutes))
    candidates = np.flatnonzero(mask)
    remaining = int(network.communes.population[beyond].sum())
    answer = SuggestionsOut(
        departement=scope.departement,
        region=scope.region,
        minutes=minutes,
        include_mobile=include_mobile,
        population_beyond=remaining,
        suggestions=[],
    )
    if not len(beyond):
        return answer
    # No trip is quicker than the open road at its fastest, with the shortest detour: a safe radius.
    model = state.model
    fastest_kmh = model.open_road_long_kmh * max(model.terrain_speed_factor)
    radius = max(minutes - model.fixed_minutes, 0.0) / 60 * fastest_kmh / min(model.detour) * 1000
    pairs = cKDTree(network.communes.xyz[candidates]).sparse_distance_matrix(
        cKDTree(network.communes.xyz[beyond]), m_to_chord(radius, EARTH_RADIUS_M), output_type="ndarray"
    )
    # A new place serves only its own road territory.
    same = (
        network.communes.territory[candidates[pairs["i"]]] == network.communes.territory[beyond[pairs["j"]]]
    )
    pairs = pairs[same]
    times = model.minutes(
        chord_to_m(pairs["v"], EARTH_RADIUS_M),
        network.communes.density[beyond[pairs["j"]]],
        network.communes.terrain[beyond[pairs["j"]]],
        network.communes.density[candidates[pairs["i"]]],
        network.communes.terrain[candidates[pairs["i"]]],
    )
    close = times <= minutes
    place, served = pairs["i"][close], pairs["j"][close]
    people = network.communes.population[beyond].astype(float)
    alive = np.ones(len(beyond), dtype=bool)
    for rank in range(1, count + 1):
        gains = np.bincount(place, weights=people[served] * alive[served], minlength=len(candidates))
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        added = np.unique(served[(place == best) & alive[served]])
        alive[added] = False
        remaining -= int(people[added].sum())
        i = candidates[best]
        answer.suggestions.append(
            Suggestion(
                rank=rank,
                insee_code=network.communes.codes[i],
                name=network.communes.names[i],
                departement=network.communes.departements[i],
                lat=float(network.communes.lat[i]),
                lon=float(network.communes.lon[i]),
                population_added=int(people[added].sum()),
                communes_added=sorted(network.communes.codes[beyond[j]] for j in added),
                population_beyond_after=remaining,
            )
        )
    return answer
