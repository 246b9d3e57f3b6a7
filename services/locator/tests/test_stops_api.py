"""GET /v1/stops/nearest and GET /v1/sites/{id}/stops on the real data."""

import datetime as dt

import pytest

MONTHOIS = {"lat": 49.3139, "lon": 4.7181}  # 300 m from the centre of Monthois (08)
PROBLEM = "application/problem+json"


def next_monday(after: dt.date) -> dt.date:
    return after + dt.timedelta(days=(7 - after.weekday()) % 7 or 7)


async def test_nearest_stop_from_monthois_with_its_next_visits(locator_client):
    first = next_monday(dt.date.today())
    params = MONTHOIS | {
        "limit": 3,
        "from": first.isoformat(),
        "to": (first + dt.timedelta(days=13)).isoformat(),
    }
    response = await locator_client.get("/v1/stops/nearest", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["window"] == {"date_from": params["from"], "date_to": params["to"]}
    top = body["results"][0]
    assert top["stop"]["name"] == "Mairie de Monthois"
    assert top["stop"]["site"]["id"] == 47
    assert set(top["stop"]["site"]) == {"id", "name", "kind", "phone"}
    assert top["distance_m"] < 1000
    assert isinstance(top["travel_time_min"], int) and top["within_30_min"] is True
    visits = top["stop"]["next_visits"]
    assert visits, "two Mondays in the window"
    for visit in visits:
        day = dt.date.fromisoformat(visit["date"])
        assert day.weekday() == 0 and first <= day <= first + dt.timedelta(days=13)
        start = dt.datetime.fromisoformat(visit["start"])
        assert start.strftime("%H:%M") in ("09:00", "13:00")
        assert start.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))
    distances = [r["distance_m"] for r in body["results"]]
    assert distances == sorted(distances)


async def test_no_visit_on_a_public_holiday_and_upcoming_only(locator_client):
    # Whit Monday 2026-05-25: the Monday stop of Monthois has no visit that week.
    params = MONTHOIS | {"from": "2026-05-25", "to": "2026-05-25", "limit": 5}
    upcoming = (await locator_client.get("/v1/stops/nearest", params=params)).json()["results"]
    assert all(r["stop"]["name"] != "Mairie de Monthois" for r in upcoming)
    everything = await locator_client.get("/v1/stops/nearest", params=params | {"upcoming_only": "false"})
    top = everything.json()["results"][0]
    assert top["stop"]["name"] == "Mairie de Monthois" and top["stop"]["next_visits"] == []


async def test_stops_nearest_from_a_postcode_and_as_geojson(locator_client):
    response = await locator_client.get(
        "/v1/stops/nearest",
        params={"q": "17430", "limit": 2, "upcoming_only": "false"},
        headers={"Accept": "application/geo+json"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["origin"]["source"] == "communes"
    feature = body["features"][0]
    lon, lat = feature["geometry"]["coordinates"]
    assert feature["properties"]["stop"]["location"] == {"lat": lat, "lon": lon}
    assert feature["properties"]["stop"]["site"]["id"] == 590  # Tonnay-Charente's bus


async def test_itinerary_of_a_site_as_geojson(locator_client):
    response = await locator_client.get("/v1/sites/1960/stops", headers={"Accept": "application/geo+json"})
    assert response.status_code == 200
    body = response.json()
    assert body["site"]["id"] == 1960
    names = {f["properties"]["commune"] for f in body["features"]}
    assert {"Nemours", "Amponville", "Saint-Pierre-lès-Nemours"} <= names


async def test_a_fixed_site_has_an_empty_itinerary(locator_client):
    fixed = (await locator_client.get("/v1/sites", params={"kind": "fixed", "limit": 1})).json()["items"][0]
    response = await locator_client.get(f"/v1/sites/{fixed['id']}/stops")
    assert response.status_code == 200 and response.json()["stops"] == []


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/v1/stops/nearest", {}, 422),
        ("/v1/stops/nearest", {"lat": 49.3}, 422),
        ("/v1/stops/nearest", {"lat": 91, "lon": 4}, 422),
        ("/v1/stops/nearest", {"lat": "abc", "lon": 4}, 422),
        ("/v1/stops/nearest", MONTHOIS | {"limit": 0}, 422),
        ("/v1/stops/nearest", MONTHOIS | {"limit": 10000}, 422),
        ("/v1/stops/nearest", MONTHOIS | {"radius_km": -1}, 422),
        ("/v1/stops/nearest", MONTHOIS | {"from": "2026-13-01"}, 422),
        ("/v1/stops/nearest", MONTHOIS | {"from": "2026-06-10", "to": "2026-06-01"}, 422),
        ("/v1/stops/nearest", MONTHOIS | {"from": "2026-01-01", "to": "2026-12-31"}, 422),
        ("/v1/stops/nearest", {"q": "99999"}, 404),
        ("/v1/stops/nearest", {"q": "x"}, 422),
        ("/v1/sites/999999/stops", {}, 404),
        ("/v1/sites/abc/stops", {}, 422),
        ("/v1/sites/99999999999/stops", {}, 422),
        ("/v1/sites/47/stops", {"to": "yesterday"}, 422),
        ("/v1/sites/47/stops", {"from": "9999-12-31", "to": "9999-12-31"}, 422),
        ("/v1/stops/nearest", MONTHOIS | {"from": "0001-01-01"}, 422),
        ("/v1/sites/nearest", MONTHOIS | {"open_at": "9999-12-31T23:59:00-12:00"}, 422),
        ("/v1/sites/nearest", MONTHOIS | {"open_at": "0001-01-01T00:30:00"}, 422),
    ],
)
async def test_bad_input_is_a_problem(locator_client, path, params, status):
    response = await locator_client.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["detail"]
