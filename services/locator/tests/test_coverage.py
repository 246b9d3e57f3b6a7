"""Coverage on a hand-made territory, in a database of its own: figures computed by hand.

Communes and places sit on the equator, so the great-circle distance between two of them is exactly
R × Δlongitude. Département 99 (region 99), plus one commune of département 96 in the same region.
Positions in km east of the site S1:

    H (96) -20 · bus base M1 -5 · S1, A 0 · B 10 · C 15 · D 33 · E 50 · G 68 · F 85 (a stop of M1, Tuesdays)
"""

import asyncio
import io
import json
import math
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from PIL import Image
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.databases import create_and_migrate, drop_database
from fs_testkit import isolation
from fs_testkit.servers import serve_in_process
from locator.config import LocatorSettings
from locator.data_files import SERVICE_DIR
from locator.imports import in_transaction
from locator.main import create_app

R_M = 6_371_008.8

# code, name, département, population, km
COMMUNES = [
    ("99001", "Alpha", "99", 10_000, 0),  # town
    ("99002", "Bravo", "99", 1_000, 10),  # rural
    ("99003", "Charlie", "99", 3_000, 15),  # town
    ("99004", "Delta", "99", 500, 33),
    ("99005", "Echo", "99", 800, 50),
    ("99006", "Golf", "99", 300, 68),
    ("99007", "Foxtrot", "99", 200, 85),
    ("96001", "Hotel", "96", 100, -20),
]
S1, M1 = 990_001, 990_002
SITES = [(S1, "France services d'Alpha", False, 0), (M1, "Bus France services du 99", True, -5)]
STOP_KM, STOP_WEEKDAY = 85, 1


def lon_of(km: float) -> float:
    return math.degrees(km * 1000 / R_M)


async def fill(session: AsyncSession) -> None:
    for code, name, departement, population, km in COMMUNES:
        await session.execute(
            text(
                "INSERT INTO commune (code_insee, name, search_key, kind, departement, region, zone,"
                " postcodes, population, location) VALUES (:code, :name, :key, 'commune-actuelle',"
                " :dep, '99', 'metro', '{}', :pop, ST_SetSRID(ST_MakePoint(:lon, 0), 4326)::geography)"
            ),
            {
                "code": code,
                "name": name,
                "key": name.lower(),
                "dep": departement,
                "pop": population,
                "lon": lon_of(km),
            },
        )
    for site_id, name, mobile, km in SITES:
        await session.execute(
            text(
                "INSERT INTO site (id, name, kind, is_mobile, address, insee_code, commune_name, postcode,"
                " departement, timezone, location, opening_hours, hours_known, appointment_required,"
                " partners) VALUES (:id, :name, :kind, :mobile, 'place de la Mairie', '9901', 'Alpha',"
                " '99000', '99', 'Europe/Paris', ST_SetSRID(ST_MakePoint(:lon, 0), 4326)::geography,"
                " CAST(:hours AS jsonb), true, false, '{}')"
            ),
            {
                "id": site_id,
                "name": name,
                "kind": "bus" if mobile else "fixed",
                "mobile": mobile,
                "lon": lon_of(km),
                "hours": json.dumps({"1": [["09:00", "12:00"]]} if mobile else {"0": [["09:00", "17:00"]]}),
            },
        )
    await session.execute(
        text(
            "INSERT INTO stop (site_id, name, insee_code, commune_name, location, visits, source)"
            " VALUES (:site, 'Mairie de Foxtrot', '9907', 'Foxtrot',"
            " ST_SetSRID(ST_MakePoint(:lon, 0), 4326)::geography, CAST(:visits AS jsonb), 'admin')"
        ),
        {
            "site": M1,
            "lon": lon_of(STOP_KM),
            "visits": json.dumps([{"weekdays": [STOP_WEEKDAY], "ranges": [["09:00", "12:00"]]}]),
        },
    )


def great_circle_km(km_a: float, km_b: float) -> float:
    return abs(km_a - km_b)


# A travel model simple enough to compute by hand (locator/travel/model.py): 3 minutes, roads 1.3 × the
# straight line, 1.5 km of streets at 30 km/h to leave or enter a town (none in a village, no dense
# city here), the open road at 60 km/h whatever the length.
MODEL = {
    "travel_fixed_minutes": 3.0,
    "travel_detour_factor": 1.3,
    "travel_detour_factor_main_roads": 1.3,
    "travel_dense_city_km": 2.0,
    "travel_town_km": 1.5,
    "travel_town_kmh": 30.0,
    "travel_rural_km": 0.0,
    "travel_open_road_short_kmh": 60.0,
    "travel_open_road_long_kmh": 60.0,
}


def documented_minutes(distance_km: float, population: int, to_town: bool = True) -> float:
    """3 + the road at 60 km/h (one minute a km), + 1.5 km at 30 km/h instead of 60 at each town end
    (for roads of 3 km or more, so that both ends' streets fit in)."""
    road = distance_km * 1.3
    assert road >= 3
    return 3 + road + ((population >= 2_000) + to_town) * 1.5


def by_code() -> dict[str, tuple]:
    return {c[0]: c for c in COMMUNES}


@pytest.fixture(scope="module")
def territory_url() -> Iterator[str]:
    url = isolation.test_database_url("locator_cov")
    try:
        create_and_migrate(SERVICE_DIR, url)
        asyncio.run(in_transaction(url, fill))
        yield url
    finally:
        asyncio.run(drop_database(url))


@pytest.fixture(scope="module")
async def territory(territory_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = LocatorSettings(database_url=territory_url, log_json=False, log_level="WARNING", **MODEL)
    async with serve_in_process(create_app(settings), "http://locator") as client:
        yield client


async def test_share_and_communes_beyond_match_the_hand_computation(territory):
    response = await territory.get("/v1/coverage", params={"departement": "99"})
    assert response.status_code == 200, response.text
    body = response.json()
    # Hand computation, to S1 in Alpha (a town): A 3.0 (0 km); B 17.5 (village, 10 km: 3 + 13 + 1.5);
    # C 25.5 (town, 15 km: 3 + 19.5 + 3) within; D 47.4, E 69.5, G 92.9, F 115.0 beyond.
    assert body["population"] == 15_800
    assert body["population_within"] == 14_000
    assert body["population_beyond"] == 1_800
    assert body["share"] == pytest.approx(14_000 / 15_800)
    assert (body["communes"], body["communes_within"]) == (7, 3)
    beyond = body["communes_beyond"]
    assert [c["insee_code"] for c in beyond] == ["99005", "99004", "99006", "99007"]
    expected = {"99004": 47.4, "99005": 69.5, "99006": 92.9, "99007": 115.0}
    for commune in beyond:
        assert commune["minutes"] == pytest.approx(expected[commune["insee_code"]], abs=0.051)
        code, _, _, population, km = by_code()[commune["insee_code"]]
        assert commune["minutes"] == pytest.approx(documented_minutes(km, population), abs=0.051)
        assert commune["nearest"] == {
            "kind": "site",
            "id": S1,
            "name": "France services d'Alpha",
            "is_mobile": False,
            "days": [],
        }
    assert body["territories_without_site"] == []
    assert body["mobile"]["counted"] is False
    assert body["model"]["method"] == "great_circle"
    assert body["model"]["urban_km"] == {"dense_city": 2.0, "town": 1.5, "rural": 0.0}
    assert body["model"]["detour_factor_main_roads"] == 1.3  # every figure of the formula is shown


async def test_a_commune_visited_by_a_bus_stop_counts_on_its_days(territory):
    body = (await territory.get("/v1/coverage", params={"departement": "99", "include_mobile": True})).json()
    # The stop at Foxtrot (85 km, a village) serves Foxtrot (3 min) and Golf (17 km: 3 + 22.1 = 25.1 min).
    assert body["population_within"] == 14_500
    assert [c["insee_code"] for c in body["communes_beyond"]] == ["99005", "99004"]
    assert body["mobile"]["counted"] is True
    assert "jours de passage" in body["mobile"]["note"]
    golf, foxtrot = body["mobile"]["communes"]
    assert (golf["insee_code"], foxtrot["insee_code"]) == ("99006", "99007")
    assert golf["minutes"] == pytest.approx(documented_minutes(17, 300, to_town=False), abs=0.051)
    assert foxtrot["minutes"] == pytest.approx(3.0, abs=0.01)
    for commune in (golf, foxtrot):
        assert commune["nearest"]["kind"] == "stop"
        assert commune["nearest"]["is_mobile"] is True
        assert commune["nearest"]["days"] == ["mardi"]


async def test_region_scope_counts_every_departement_of_the_region(territory):
    body = (await territory.get("/v1/coverage", params={"region": "99"})).json()
    # Hotel (96): 20 km from S1, a village to a town: 3 + 26 + 1.5 = 30.5 minutes, beyond.
    assert (body["population"], body["population_within"], body["communes"]) == (15_900, 14_000, 8)
    hotel = next(c for c in body["communes_beyond"] if c["insee_code"] == "96001")
    assert hotel["minutes"] == pytest.approx(30.5, abs=0.051)


async def test_suggestions_are_the_greedy_hand_computation(territory):
    response = await territory.get("/v1/coverage/suggestions", params={"departement": "99", "count": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["population_beyond"] == 1_800
    # Round 1: a site at Echo (a village) serves Delta and Golf (17 and 18 km: 25.1 and 26.4 min) and
    # Echo: 1,600 people; Delta would serve Delta and Echo (1,300), Golf Echo, Golf and Foxtrot (1,300).
    # Round 2: Foxtrot is left (200): Golf (17 km) and Foxtrot serve it; the smallest code wins.
    got = [
        (s["insee_code"], s["population_added"], s["communes_added"], s["population_beyond_after"])
        for s in body["suggestions"]
    ]
    assert got == [
        ("99005", 1_600, ["99004", "99005", "99006"], 200),
        ("99006", 200, ["99007"], 0),
    ]
    assert [s["rank"] for s in body["suggestions"]] == [1, 2]


async def test_geojson_gives_every_commune_with_time_band_and_nearest_site(territory):
    response = await territory.get("/v1/coverage/communes.geojson", params={"departement": "99"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    features = {f["properties"]["insee_code"]: f for f in response.json()["features"]}
    assert set(features) == {c[0] for c in COMMUNES if c[2] == "99"}
    bravo = features["99002"]
    assert bravo["geometry"]["coordinates"] == pytest.approx([lon_of(10), 0.0])
    assert bravo["properties"]["band"] == "15_30"
    assert bravo["properties"]["nearest"]["id"] == S1
    assert features["99001"]["properties"]["band"] == "under_15"
    assert features["99004"]["properties"]["band"] == "over_30"


async def test_scope_errors_are_problem_details_in_french(territory):
    unknown = await territory.get("/v1/coverage", params={"departement": "95"})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert "département 95" in unknown.json()["detail"]
    both = await territory.get("/v1/coverage", params={"departement": "99", "region": "99"})
    assert both.status_code == 422
    national_map = await territory.get("/v1/coverage/map.png")
    assert national_map.status_code == 422


def documented_pixel(lat: float, lon: float, lats: list[float], lons: list[float], w: int, h: int):
    """The projection written in locator/coverage/render.py, recomputed here."""
    cos0 = math.cos(math.radians((min(lats) + max(lats)) / 2))
    xs, ys = [lo * cos0 for lo in lons], lats
    pad = max(0.05 * max(max(xs) - min(xs), max(ys) - min(ys)), 0.01)
    x0, x1, y0, y1 = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
    ratio = 0.94 * w / (0.78 * h)
    if (x1 - x0) / (y1 - y0) < ratio:
        grow = (ratio * (y1 - y0) - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) / ratio - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    column = w * (0.03 + 0.94 * (lon * cos0 - x0) / (x1 - x0))
    row = h * (1 - 0.10 - 0.78 * (lat - y0) / (y1 - y0))
    return int(column), int(row)


def close_to(pixel: tuple, hex_colour: str) -> bool:
    wanted = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= 8 for a, b in zip(pixel[:3], wanted, strict=True))


async def test_map_png_has_the_asked_size_and_colours_delta_beyond_30(territory):
    response = await territory.get(
        "/v1/coverage/map.png", params={"departement": "99", "width": 900, "height": 600}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    assert image.size == (900, 600)
    lats = [0.0] * 7
    lons = [lon_of(c[4]) for c in COMMUNES if c[2] == "99"]
    delta = documented_pixel(0.0, lon_of(33), lats, lons, 900, 600)
    assert close_to(image.getpixel(delta), "#d73027")  # over 30 minutes (47.4)
    bravo = documented_pixel(0.0, lon_of(10), lats, lons, 900, 600)
    assert close_to(image.getpixel(bravo), "#fee08b")  # 15 to 30 minutes (17.5)
    empty = documented_pixel(0.0, lon_of(24), lats, lons, 900, 600)  # between Charlie and Delta
    assert close_to(image.getpixel(empty), "#ffffff")


async def test_routing_engine_times_replace_the_estimate(territory_url, osrm):
    settings = LocatorSettings(
        database_url=territory_url, log_json=False, log_level="WARNING", routing_url=osrm.url
    )
    async with serve_in_process(create_app(settings), "http://locator") as client:
        body = (await client.get("/v1/coverage", params={"departement": "99"})).json()
    assert body["model"]["method"] == "routing_engine"
    # From S1 by the stand-in's roads, plus the model's fixed minutes (1 by default). Within: Alpha,
    # Bravo (13.3 min of road), Charlie (20.0: a town, but the engine knows no classes); beyond: Delta
    # (44.0), Echo (66.7), Golf (90.7), and Foxtrot that no road reaches.
    fixed = settings.travel_fixed_minutes
    road = {code: fixed + km * 1000 * 1.2 / 15 / 60 for code, _, _, _, km in COMMUNES}
    assert body["population_within"] == 14_000
    got = {c["insee_code"]: c["minutes"] for c in body["communes_beyond"]}
    assert got == {
        "99004": pytest.approx(road["99004"], abs=0.051),
        "99005": pytest.approx(road["99005"], abs=0.051),
        "99006": pytest.approx(road["99006"], abs=0.051),
        "99007": None,
    }
    table_calls = [r for r in osrm.requests if r.startswith("/table/v1/driving/")]
    assert table_calls and all("annotations=duration" in r for r in table_calls)


async def test_an_engine_refusal_is_a_502_problem(territory_url, osrm):
    settings = LocatorSettings(
        database_url=territory_url,
        log_json=False,
        log_level="WARNING",
        routing_url=osrm.url,
        routing_profile="bicycle",
    )
    async with serve_in_process(create_app(settings), "http://locator") as client:
        response = await client.get("/v1/coverage", params={"departement": "99"})
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "InvalidUrl" in response.json()["detail"]


async def test_a_stop_added_while_serving_is_counted_and_its_removal_too(territory, territory_url):
    """Coverage reads the worker's snapshot, which follows the stop table within moments, not at once."""

    async def delta_beyond() -> bool:
        params = {"departement": "99", "include_mobile": True}
        body = (await territory.get("/v1/coverage", params=params)).json()
        return "99004" in {c["insee_code"] for c in body["communes_beyond"]}

    async def eventually(expected: bool) -> None:
        deadline = time.monotonic() + 15
        while (beyond := await delta_beyond()) != expected and time.monotonic() < deadline:  # noqa: ASYNC110 (an HTTP answer to poll, no event)
            await asyncio.sleep(0.05)
        assert beyond == expected

    assert await delta_beyond()
    await in_transaction(
        territory_url,
        lambda s: s.execute(
            text(
                "INSERT INTO stop (site_id, name, insee_code, commune_name, location, visits, source)"
                " VALUES (:site, 'Mairie de Delta', '99004', 'Delta',"
                " ST_SetSRID(ST_MakePoint(:lon, 0), 4326)::geography, '[]', 'admin')"
            ),
            {"site": M1, "lon": lon_of(33)},
        ),
    )
    await eventually(False)
    await in_transaction(
        territory_url, lambda s: s.execute(text("DELETE FROM stop WHERE name = 'Mairie de Delta'"))
    )
    await eventually(True)
