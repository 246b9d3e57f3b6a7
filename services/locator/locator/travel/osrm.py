"""Road durations from a routing engine (``LOCATOR_ROUTING_URL``, OSRM's HTTP API).

Coverage asks it the road durations from each commune to its few nearest places
(``/table/v1/driving/``) and adds the model's ``fixed_minutes``; the nearest search does the same from
the searched point to its results (``apply_road_times``).
"""

import logging
from collections.abc import Sequence
from typing import Literal, Protocol

import httpx

from fs_common.errors import BadGateway
from locator.travel.model import PROMISE_MINUTES

logger = logging.getLogger(__name__)


class OsrmClient:
    """Road durations from an OSRM server (``/table/v1/{profile}/``), in minutes.

    ``durations`` come back in seconds, ``null`` where no route exists (returned as ``None``).
    """

    def __init__(self, http: httpx.AsyncClient, base_url: str, profile: str = "driving") -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._profile = profile

    async def table_minutes(
        self, sources: Sequence[tuple[float, float]], destinations: Sequence[tuple[float, float]]
    ) -> list[list[float | None]]:
        """Matrix [source][destination] of driving minutes; points are (lat, lon)."""
        points = [*sources, *destinations]
        coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        n = len(sources)
        params = {
            "sources": ";".join(str(i) for i in range(n)),
            "destinations": ";".join(str(i) for i in range(n, len(points))),
            "annotations": "duration",
        }
        url = f"{self._base}/table/v1/{self._profile}/{coordinates}"
        try:
            response = await self._http.get(url, params=params)
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise BadGateway("Le moteur d'itinéraires ne répond pas ; réessayez plus tard.") from exc
        if response.status_code != 200 or body.get("code") != "Ok":
            raise BadGateway(
                f"Le moteur d'itinéraires a refusé la demande ({body.get('code', response.status_code)})."
            )
        return [[None if d is None else d / 60 for d in row] for row in body["durations"]]


class TimedResult(Protocol):
    """A search result carrying a travel time (nearest sites, stops)."""

    travel_time_min: int
    within_30_min: bool
    travel_time_source: Literal["estimate", "routing_engine"]


async def apply_road_times(
    routing: OsrmClient | None,
    fixed_minutes: float,
    origin: tuple[float, float],
    results: Sequence[TimedResult],
    destinations: Sequence[tuple[float, float]],
) -> None:
    """Replace each result's estimate by the engine's door-to-door road time (the fixed access time
    included) where it finds a road. Without an engine, or when it fails, the estimates stay, so a
    routing outage never breaks a search."""
    if routing is None or not destinations:
        return
    try:
        (row,) = await routing.table_minutes([origin], destinations)
    except BadGateway:
        logger.warning("routing engine unavailable; the estimate stays")
        return
    for result, road in zip(results, row, strict=True):
        if road is not None:
            result.travel_time_min = round(fixed_minutes + road)
            result.within_30_min = fixed_minutes + road <= PROMISE_MINUTES
            result.travel_time_source = "routing_engine"
