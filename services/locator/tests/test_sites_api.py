"""Site list, detail and nearest filters; every bad input is a 4xx problem+json."""

import datetime as dt

import pytest

GUERET = {"lat": 46.1585, "lon": 1.8705}


async def test_site_detail_has_structured_hours_partners_and_opening_state(locator_client):
    response = await locator_client.get("/v1/sites/1")
    assert response.status_code == 200
    site = response.json()
    assert site["name"] == "France services de Valserhône"
    assert site["address"] == {
        "street": "5-9 Rue des Papetiers",
        "complement": None,
        "postcode": "01200",
        "commune": "Valserhône",
        "insee_code": "01033",
        "departement": "01",
    }
    assert site["opening_hours"][0] == {
        "weekday": 0,
        "day": "lundi",
        "ranges": [{"opens": "13:30", "closes": "17:00"}],
    }
    assert len(site["partners"]) == 9
    assert {"code": "caf", "label": "Caisse d'allocations familiales (CAF)"} in site["partners"]
    assert site["timezone"] == "Europe/Paris"
    assert isinstance(site["open_now"], bool)
    assert site["next_opening"] is not None
    assert site["labelled_since"] == "2020-01-01"


async def test_unknown_site_is_404_problem_json(locator_client):
    response = await locator_client.get("/v1/sites/999999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Aucune France Services n'a l'identifiant 999999."


async def test_list_is_paged_and_filtered(locator_client):
    page = (await locator_client.get("/v1/sites", params={"departement": "974", "limit": 5})).json()
    assert page["total"] == 29
    assert len(page["items"]) == 5
    assert all(
        s["address"]["departement"] == "974" and s["timezone"] == "Indian/Reunion" for s in page["items"]
    )
    second = (
        await locator_client.get("/v1/sites", params={"departement": "974", "limit": 5, "offset": 5})
    ).json()
    assert {s["id"] for s in page["items"]}.isdisjoint({s["id"] for s in second["items"]})
    buses = (await locator_client.get("/v1/sites", params={"kind": "bus", "limit": 500})).json()
    assert buses["total"] == 134 and all(s["is_mobile"] for s in buses["items"])


async def test_nearest_filters(locator_client):
    params = GUERET | {"limit": 10}
    fixed = (
        await locator_client.get("/v1/sites/nearest", params=params | {"include_mobile": "false"})
    ).json()
    assert all(not r["site"]["is_mobile"] for r in fixed["results"]) and len(fixed["results"]) == 10
    on_appointment = (
        await locator_client.get("/v1/sites/nearest", params=params | {"appointment_required": "true"})
    ).json()
    assert all(r["site"]["appointment_required"] for r in on_appointment["results"])
    saturday = (await locator_client.get("/v1/sites/nearest", params=params | {"weekday": "samedi"})).json()
    assert all(any(d["weekday"] == 5 for d in r["site"]["opening_hours"]) for r in saturday["results"])
    near = (await locator_client.get("/v1/sites/nearest", params=params | {"radius_km": 15})).json()
    assert all(r["distance_m"] <= 15_000 for r in near["results"])
    caf = (await locator_client.get("/v1/sites/nearest", params=params | {"partner": "caf"})).json()
    assert len(caf["results"]) == 10


async def test_open_at_keeps_only_sites_open_at_that_local_time(locator_client):
    monday_10 = "2026-11-30T10:00:00"  # no offset: each site's own local time
    open_ = (await locator_client.get("/v1/sites/nearest", params=GUERET | {"open_at": monday_10})).json()
    assert open_["results"]
    for result in open_["results"]:
        monday = next(d for d in result["site"]["opening_hours"] if d["weekday"] == 0)
        assert any(r["opens"] <= "10:00" < r["closes"] for r in monday["ranges"])
    sunday = (
        await locator_client.get(
            "/v1/sites/nearest", params=GUERET | {"open_at": "2026-11-29T10:00:00+01:00"}
        )
    ).json()
    assert sunday["results"] == []


async def test_open_now_is_consistent_with_the_results(locator_client):
    response = (
        await locator_client.get("/v1/sites/nearest", params=GUERET | {"open_now": "true", "limit": 3})
    ).json()
    assert all(r["site"]["open_now"] is True for r in response["results"])
    now = dt.datetime.now(dt.UTC)
    for r in response["results"]:
        opening = r["site"]["next_opening"]
        assert dt.datetime.fromisoformat(opening["start"]) <= now < dt.datetime.fromisoformat(opening["end"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 91, "lon": 2}, "lat"),
        ({"lat": 46, "lon": 181}, "lon"),
        ({"lat": "abc", "lon": 2}, "lat"),
        ({"lat": 46, "lon": 2, "limit": 0}, "limit"),
        ({"lat": 46, "lon": 2, "limit": 10000}, "limit"),
        ({"lat": 46, "lon": 2, "radius_km": -1}, "radius_km"),
        ({"lat": 46, "lon": 2, "weekday": "funday"}, "weekday"),
        ({"lat": 46, "lon": 2, "kind": "castle"}, "kind"),
        ({"lat": 46, "lon": 2, "open_at": "tomorrow"}, "open_at"),
        ({"q": "x"}, "q"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(locator_client, params, field):
    response = await locator_client.get("/v1/sites/nearest", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422 and body["title"] == "Données invalides"
    assert [e["field"].split(".")[:2] for e in body["errors"]] == [["query", field]]
    assert body["detail"].startswith("Paramètres invalides.")


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({}, "Indiquez où chercher"),
        ({"lat": 46}, "Donnez à la fois lat et lon"),
        ({"q": "zzzzqqqq"}, "Aucun lieu ne correspond à « zzzzqqqq »"),
    ],
)
async def test_missing_or_unknown_place_is_explained(locator_client, params, detail):
    response = await locator_client.get("/v1/sites/nearest", params=params)
    assert 400 <= response.status_code < 500
    assert response.json()["detail"].startswith(detail)


async def test_garbage_paths_and_methods_are_problem_json(locator_client):
    not_found = await locator_client.get("/v1/nothing-here")
    assert not_found.status_code == 404 and not_found.headers["content-type"] == "application/problem+json"
    method = await locator_client.delete("/v1/sites/1")
    assert method.status_code == 405 and method.headers["content-type"] == "application/problem+json"
    for bad_id in ("abc", "0", "99999999999999999999"):
        response = await locator_client.get(f"/v1/sites/{bad_id}")
        assert response.status_code == 422, bad_id
        assert response.headers["content-type"] == "application/problem+json"
