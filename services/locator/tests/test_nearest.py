"""Nearest search against an independent brute-force computation over the vendored CSV."""

import csv
import math
import random

import pytest

from fs_testkit.servers import serve_in_process
from locator.data_files import SITES_CSV
from locator.main import create_app

from .locator_documented import commune_rows, end_of, nearest_commune, road_territory
from .locator_documented import minutes as documented_minutes

R = 6_371_008.8


def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * R * math.asin(math.sqrt(a))


def csv_points(territory: str | None = None) -> list[tuple[int, float, float]]:
    """The sites of the national list; of one road territory (that of their commune) when asked."""
    with SITES_CSV.open(encoding="utf-8") as f:
        return [
            (int(r["id_fs"]), float(r["latitude"]), float(r["longitude"]))
            for r in csv.DictReader(f)
            if territory is None or road_territory(r["insee_com"]) == territory
        ]


def random_points(n: int) -> list[tuple[float, float]]:
    rng = random.Random(20261126)
    boxes = [  # (weight, lat range, lon range): metropolitan France and the overseas départements
        (150, (42.4, 51.0), (-4.7, 8.2)),
        (10, (15.85, 16.5), (-61.8, -61.0)),  # Guadeloupe
        (10, (14.4, 14.9), (-61.2, -60.8)),  # Martinique
        (10, (2.2, 5.7), (-54.5, -51.7)),  # Guyane
        (10, (-21.4, -20.9), (55.2, 55.8)),  # La Réunion
        (10, (-13.0, -12.6), (45.0, 45.3)),  # Mayotte
    ]
    points = []
    for weight, (lat0, lat1), (lon0, lon1) in boxes:
        points += [(rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)) for _ in range(weight * n // 200)]
    return points


async def test_nearest_five_match_brute_force_for_200_points(locator_client):
    points = random_points(200)
    assert len(points) >= 200
    for lat, lon in points:
        # Only sites of the point's road territory: that of the commune whose centre is nearest.
        sites = csv_points(road_territory(nearest_commune(lat, lon)["code_insee"]))
        expected = sorted((great_circle_m(lat, lon, s_lat, s_lon), sid) for sid, s_lat, s_lon in sites)[:6]
        response = await locator_client.get("/v1/sites/nearest", params={"lat": lat, "lon": lon, "limit": 5})
        if not sites:  # an island or a river commune with no France Services
            assert response.status_code == 404
            assert "Aucune France Services dans ce territoire" in response.json()["detail"]
            continue
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        assert len(results) == min(5, len(sites))
        for got, (distance, site_id) in zip(results, expected[:5], strict=True):
            assert got["distance_m"] == pytest.approx(distance, abs=2)
            if got["site"]["id"] != site_id:
                # Only acceptable for ties: two sites at the same distance (shared points, within 2 m).
                tied = {sid for d, sid in expected if abs(d - got["distance_m"]) <= 2}
                assert got["site"]["id"] in tied, (lat, lon, got["site"]["id"], site_id)


async def test_nearest_from_postcode_gives_travel_time_and_promise(locator_client):
    response = await locator_client.get("/v1/sites/nearest", params={"q": "23000", "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["origin"]["source"] == "communes"
    assert body["origin"]["label"].startswith("Guéret")
    sites = csv_points()
    origin = body["origin"]
    expected = sorted((great_circle_m(origin["lat"], origin["lon"], la, lo), sid) for sid, la, lo in sites)[
        :3
    ]
    assert [r["site"]["id"] for r in body["results"]] == [sid for _, sid in expected]
    guéret = nearest_commune(origin["lat"], origin["lon"])
    assert end_of(guéret) == (1, 0)  # about 13,000 inhabitants in the plain: a town
    communes = {r["code_insee"]: r for r in commune_rows()}
    with SITES_CSV.open(encoding="utf-8") as f:
        ids = {r["site"]["id"] for r in body["results"]}
        site_communes = {
            int(r["id_fs"]): communes[r["insee_com"]] for r in csv.DictReader(f) if int(r["id_fs"]) in ids
        }
    for result in body["results"]:
        # The documented model, from Guéret's class to the class of the site's commune.
        expected_minutes = float(
            documented_minutes(
                result["distance_m"], *end_of(guéret), *end_of(site_communes[result["site"]["id"]])
            )
        )
        assert result["travel_time_min"] == round(expected_minutes)
        assert result["within_30_min"] is (expected_minutes <= 30)
    assert body["origin"]["territory"] == "France métropolitaine continentale"


async def test_geojson_on_request_uses_lon_lat_order(locator_client):
    response = await locator_client.get(
        "/v1/sites/nearest",
        params={"lat": 4.9372, "lon": -52.326, "limit": 2},
        headers={"Accept": "application/geo+json"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    feature = body["features"][0]
    lon, lat = feature["geometry"]["coordinates"]
    assert feature["properties"]["site"]["location"] == {"lat": lat, "lon": lon}
    assert feature["properties"]["site"]["address"]["departement"] == "973"


async def test_routing_engine_road_times_replace_the_estimate_where_it_finds_a_road(locator_settings, osrm):
    """The OSRM stand-in finds no road east of longitude 0.7°; there the estimate stays."""
    settings = locator_settings.model_copy(update={"routing_url": osrm.url})
    origin = {"lat": 47.2, "lon": 0.55, "limit": 8}  # Touraine: some of the nearest sites lie east of 0.7°
    async with serve_in_process(create_app(settings)) as client:
        results = (await client.get("/v1/sites/nearest", params=origin)).json()["results"]
    sources = {r["travel_time_source"] for r in results}
    assert sources == {"routing_engine", "estimate"}
    for r in results:
        lon = r["site"]["location"]["lon"]
        if lon > 0.7:
            assert r["travel_time_source"] == "estimate"
            continue
        road_seconds = math.radians(abs(lon - origin["lon"])) * R * 1.2 / 15  # the stand-in's roads
        assert r["travel_time_source"] == "routing_engine"
        fixed = settings.travel_fixed_minutes  # parking and walking in, added to the road time
        assert r["travel_time_min"] == round(fixed + road_seconds / 60)
        assert r["within_30_min"] is (fixed + road_seconds / 60 <= 30)


async def test_routing_engine_outage_keeps_the_estimate(locator_settings):
    settings = locator_settings.model_copy(
        update={"routing_url": "http://127.0.0.1:9", "routing_timeout_s": 0.5}
    )
    async with serve_in_process(create_app(settings)) as client:
        response = await client.get("/v1/sites/nearest", params={"lat": 47.2, "lon": 0.55, "limit": 3})
    assert response.status_code == 200
    assert {r["travel_time_source"] for r in response.json()["results"]} == {"estimate"}


async def test_access_points_rank_by_road_times_when_an_engine_is_configured(locator_settings, osrm):
    """Stops and sites alike take the engine's road time; the ranking follows it."""
    settings = locator_settings.model_copy(update={"routing_url": osrm.url})
    origin = {"lat": 49.45, "lon": 0.2, "limit": 10}  # Pays de Caux, west of 0.7°: roads everywhere near
    async with serve_in_process(create_app(settings)) as client:
        points = (await client.get("/v1/access-points/nearest", params=origin)).json()["results"]
        stops = (await client.get("/v1/stops/nearest", params=origin | {"limit": 3})).json()["results"]
    assert points and stops
    checked = [(p["location"]["lon"], p["travel_time_min"], p["travel_time_source"]) for p in points]
    checked += [(s["stop"]["location"]["lon"], s["travel_time_min"], s["travel_time_source"]) for s in stops]
    routed = [(lon, minutes, source) for lon, minutes, source in checked if lon <= 0.7]
    assert routed and {p["type"] for p in points} == {"site", "stop"}
    for lon, minutes, source in routed:
        road_seconds = math.radians(abs(lon - origin["lon"])) * R * 1.2 / 15
        assert source == "routing_engine"
        assert minutes == round(settings.travel_fixed_minutes + road_seconds / 60)
    times = [p["travel_time_min"] for p in points]
    assert times == sorted(times)
