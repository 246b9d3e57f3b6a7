"""Client of the national geocoder (Base Adresse Nationale, GeoCodeJSON responses)."""

import logging
import time

import httpx

from locator.geocoding.schemas import Place

logger = logging.getLogger(__name__)


class GeocoderUnavailable(Exception):
    pass


class BanClient:
    """Calls ``GET {base_url}/search/``; after a failure, stays away for ``cooldown_s`` seconds so that a
    geocoder outage does not slow every search down."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, cooldown_s: float = 30.0) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.cooldown_s = cooldown_s
        self._down_until = 0.0

    @property
    def available(self) -> bool:
        return bool(self.base_url) and time.monotonic() >= self._down_until

    async def search(self, q: str, limit: int = 5) -> list[Place]:
        try:
            response = await self.http.get(f"{self.base_url}/search/", params={"q": q, "limit": limit})
            response.raise_for_status()
            features = response.json()["features"]
            return [self._place(f) for f in features]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            self._down_until = time.monotonic() + self.cooldown_s
            logger.warning("national geocoder unavailable", extra={"error": type(exc).__name__})
            raise GeocoderUnavailable from exc

    @staticmethod
    def _place(feature: dict) -> Place:
        lon, lat = feature["geometry"]["coordinates"]
        props = feature["properties"]
        return Place(
            label=props["label"],
            lat=lat,
            lon=lon,
            kind=props.get("type", "unknown"),
            precision=props.get("type", "unknown"),
            insee_code=props.get("citycode"),
            postcode=props.get("postcode"),
            commune=props.get("city"),
            score=max(0.0, min(1.0, float(props.get("score", 0)))),
        )
