"""Locator tests: one real PostGIS database for the run, migrated and loaded with the real data."""

import asyncio
import json
import math
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from fs_common.databases import drop_database
from fs_testkit.national import NationalData
from fs_testkit.servers import serve_in_process
from locator.config import LocatorSettings
from locator.geo import EARTH_RADIUS_M
from locator.main import create_app


@pytest.fixture(scope="session")
def locator_settings(national_data: NationalData) -> Iterator[LocatorSettings]:
    """A clone of the run's national data (migrated, the vendored communes and sites); dropped at the end
    of the run."""
    url = national_data.clone("locator")
    settings = LocatorSettings(database_url=url, log_json=False, log_level="WARNING")
    yield settings
    asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
async def locator_client(locator_settings: LocatorSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_in_process(create_app(locator_settings), "http://locator") as client:
        yield client


class OsrmStandIn(BaseHTTPRequestHandler):
    """A local OSRM answering ``/table/v1/driving/`` in OSRM's format: every road is 1.2 × the
    straight line driven at 15 m/s; no road reaches east of 0.7° (Foxtrot, 85 km, is an island)."""

    requests: list[str] = []

    def log_message(self, *args) -> None:
        pass

    def reply(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        OsrmStandIn.requests.append(self.path)
        prefix = "/table/v1/driving/"
        if not url.path.startswith(prefix):
            return self.reply(
                400, {"code": "InvalidUrl", "message": "URL string malformed close to position 1"}
            )
        points = [tuple(map(float, p.split(","))) for p in url.path[len(prefix) :].split(";")]
        query = parse_qs(url.query)
        sources = [int(i) for i in query["sources"][0].split(";")]
        destinations = [int(i) for i in query["destinations"][0].split(";")]

        def seconds(a: tuple, b: tuple) -> float | None:
            if max(a[0], b[0]) > 0.7:
                return None
            return math.radians(abs(a[0] - b[0])) * EARTH_RADIUS_M * 1.2 / 15

        waypoint = [{"hint": "", "distance": 0.0, "name": "", "location": list(p)} for p in points]
        self.reply(
            200,
            {
                "code": "Ok",
                "durations": [[seconds(points[s], points[d]) for d in destinations] for s in sources],
                "sources": [waypoint[s] for s in sources],
                "destinations": [waypoint[d] for d in destinations],
            },
        )


@pytest.fixture(scope="session")
def osrm() -> Iterator[SimpleNamespace]:
    """The OSRM stand-in on a free port: ``.url``, and ``.requests`` it received."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), OsrmStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_address[1]}", requests=OsrmStandIn.requests)
    server.shutdown()
    thread.join()
