"""The coverage answers: the figures of a scope, its communes as GeoJSON, and its map."""

import asyncio
from typing import Any

import numpy as np

from locator.coverage.cache import CoverageState
from locator.coverage.network import Scope
from locator.coverage.render import MapData, render_png
from locator.coverage.schemas import CoverageOut, FerryCoverage, MobileCoverage
from locator.snapshot.tables import Snapshot

MOBILE_COUNTED = (
    "Les services mobiles (bus, itinérants) et leurs arrêts sont comptés : une commune desservie par un "
    "service mobile ne l'est que les jours de passage indiqués."
)
MOBILE_NOT_COUNTED = (
    "Seules les France Services fixes sont comptées ; ajoutez include_mobile=true pour compter les bus, "
    "les services itinérants et leurs arrêts."
)
FERRIES_COUNTED = (
    "Les îles sans France Services reliées au continent par un bateau régulier sont comptées : route "
    "jusqu'au port, durée de traversée publiée par l'armateur ou une source officielle, puis route jusqu'à "
    "la France Services fixe la plus proche de l'autre rive."
)
FERRIES_NOT_COUNTED = (
    "Les traversées en bateau ne sont pas comptées : les îles sans France Services sont listées à part "
    "(territories_without_site)."
)


def band(minutes: float) -> str:
    """Time band of the maps: under 15, 15 to 30 (inclusive), over 30 minutes."""
    if not np.isfinite(minutes):
        return "none"
    return "under_15" if minutes < 15 else "15_30" if minutes <= 30 else "over_30"


async def coverage(
    state: CoverageState, snapshot: Snapshot, scope: Scope, *, minutes: float, include_mobile: bool
) -> CoverageOut:
    network = state.network(snapshot)
    mask = network.mask(scope)
    reach = await state.reach(network, include_mobile, mask)
    within = mask & (reach.minutes <= minutes)
    beyond = np.flatnonzero(mask & ~within & ~network.apart(reach))
    beyond = beyond[np.lexsort((beyond, -network.communes.population[beyond]))]
    mobile_only: list[int] = []
    if include_mobile:
        fixed = await state.reach(network, False, mask)
        mobile_only = np.flatnonzero(within & ~(fixed.minutes <= minutes)).tolist()
    population = int(network.communes.population[mask].sum())
    population_within = int(network.communes.population[within].sum())
    return CoverageOut(
        departement=scope.departement,
        region=scope.region,
        minutes=minutes,
        include_mobile=include_mobile,
        population=population,
        population_within=population_within,
        population_beyond=population - population_within,
        share=population_within / population if population else 0.0,
        communes=int(mask.sum()),
        communes_within=int(within.sum()),
        communes_beyond=[network.commune(i, reach) for i in beyond],
        territories_without_site=network.territories_apart(mask, reach),
        ferries=FerryCoverage(
            counted=state.ferries is not None,
            boarding_minutes=state.ferries.boarding_minutes if state.ferries else 0.0,
            note=FERRIES_COUNTED if state.ferries else FERRIES_NOT_COUNTED,
            territories=network.crossed(mask, reach),
        ),
        mobile=MobileCoverage(
            counted=include_mobile,
            note=MOBILE_COUNTED if include_mobile else MOBILE_NOT_COUNTED,
            communes=[network.commune(i, reach) for i in mobile_only],
        ),
        model=state.model_out(),
    )


async def communes_geojson(
    state: CoverageState, snapshot: Snapshot, scope: Scope, *, include_mobile: bool
) -> dict[str, Any]:
    """The ``CommuneFeatureCollection`` of the scope, as plain JSON content: 35,000 features built as
    models and encoded by FastAPI took seconds, longer than the gateway waits for an answer."""
    network = state.network(snapshot)
    mask = network.mask(scope)
    reach = await state.reach(network, include_mobile, mask)
    places = [point.model_dump(mode="json") for point in reach.places.points]
    features = []
    for i in np.flatnonzero(mask):
        minutes = float(reach.minutes[i])
        target = int(reach.target[i])
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(network.communes.lon[i]), float(network.communes.lat[i])],
                },
                "properties": {
                    "insee_code": network.communes.codes[i],
                    "name": network.communes.names[i],
                    "population": int(network.communes.population[i]),
                    "minutes": round(minutes, 1) if np.isfinite(minutes) else None,
                    "band": band(minutes),
                    "nearest": places[target] if target >= 0 else None,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features, "include_mobile": include_mobile}


async def coverage_map(
    state: CoverageState,
    snapshot: Snapshot,
    scope: Scope,
    *,
    include_mobile: bool,
    width: int,
    height: int,
) -> bytes:
    """The PNG of ``render``: communes by time band (15 and 30 minutes), sites, a title, a legend."""
    network = state.network(snapshot)
    mask = network.mask(scope)
    reach = await state.reach(network, include_mobile, mask)
    chosen = np.flatnonzero(mask)
    population = int(network.communes.population[chosen].sum())
    within = int(network.communes.population[chosen][reach.minutes[chosen] <= 30].sum())
    places = reach.places
    stop = np.array([p.kind == "stop" for p in places.points], dtype=bool)
    data = MapData(
        title=f"Temps d'accès à la France Services la plus proche — {scope.label()}",
        subtitle=(
            f"{within / population if population else 0:.1%} de la population à 30 minutes ou moins"
            f" ({'services mobiles compris' if include_mobile else 'sites fixes'}, temps estimés)"
        ),
        lat=network.communes.lat[chosen],
        lon=network.communes.lon[chosen],
        bands=[band(float(m)) for m in reach.minutes[chosen]],
        site_lat=places.lat[~stop],
        site_lon=places.lon[~stop],
        stop_lat=places.lat[stop],
        stop_lon=places.lon[stop],
    )
    return await asyncio.to_thread(render_png, data, width, height)
