"""GET /v1/access-points/nearest: fixed sites and upcoming stops together, ranked by travel time."""

import pytest

MONTHOIS = {"lat": 49.3139, "lon": 4.7181}


async def test_sites_and_stops_ranked_by_travel_time(locator_client):
    response = await locator_client.get("/v1/access-points/nearest", params=MONTHOIS | {"limit": 8})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == 8
    assert {r["type"] for r in results} == {"site", "stop"}
    keys = [(r["travel_time_min"], r["distance_m"]) for r in results]
    assert keys == sorted(keys)
    for r in results:
        if r["type"] == "site":
            assert r["stop"] is None and r["site"]["is_mobile"] is False
            assert r["name"] == r["site"]["name"] and r["location"] == r["site"]["location"]
        else:
            assert r["site"] is None and r["stop"]["next_visits"], "only stops with an upcoming visit"
            assert r["location"] == r["stop"]["location"]


async def test_stop_first_when_it_is_nearer_than_any_site(locator_client):
    window = {"from": "2030-01-07", "to": "2030-01-13"}  # Monday 7 January 2030: Monthois is served
    params = MONTHOIS | window | {"limit": 3}
    stops = (await locator_client.get("/v1/stops/nearest", params=params)).json()["results"]
    first = (await locator_client.get("/v1/access-points/nearest", params=params)).json()["results"][0]
    assert stops[0]["stop"]["name"] == "Mairie de Monthois"
    assert first["type"] == "stop" and first["stop"]["id"] == stops[0]["stop"]["id"]
    assert first["stop"]["next_visits"][0]["date"] == "2030-01-07"


async def test_access_points_as_geojson(locator_client):
    response = await locator_client.get(
        "/v1/access-points/nearest",
        params={"q": "Vouziers", "limit": 5},
        headers={"Accept": "application/geo+json"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    for feature in body["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["properties"]["location"] == {"lat": lat, "lon": lon}
        assert feature["properties"]["type"] in ("site", "stop")


@pytest.mark.parametrize(
    "params",
    [{}, {"lon": 4.7}, MONTHOIS | {"limit": 0}, MONTHOIS | {"limit": 101}, MONTHOIS | {"to": "2026-02-30"}],
)
async def test_bad_input_is_a_problem(locator_client, params):
    response = await locator_client.get("/v1/access-points/nearest", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
