"""Territories a car cannot leave: searches and coverage match places only within one road territory."""

import pytest

from locator.road_territories import MAINLAND, road_territories

from .locator_documented import commune_rows, road_territory

NO_SITE = "Aucune France Services dans ce territoire"


def centre(code: str) -> dict:
    row = next(r for r in commune_rows() if r["code_insee"] == code)
    return {"lat": float(row["lat"]), "lon": float(row["lon"])}


def test_the_file_names_every_territory_of_the_issue():
    territories = road_territories()
    islands = {
        "29155": "ouessant", "29084": "molene", "29083": "sein", "29082": "batz", "22016": "brehat",
        "56069": "groix", "56152": "belle-ile", "56009": "belle-ile", "56114": "belle-ile",
        "56241": "belle-ile", "56086": "houat", "56085": "hoedic", "85113": "yeu", "17004": "aix",
        "56087": "ile-aux-moines", "56088": "ile-d-arz", "97112": "marie-galante",
        "97131": "terre-de-haut", "97130": "terre-de-bas", "97110": "desirade",
        "97608": "mayotte-petite-terre", "97615": "mayotte-petite-terre",
    }  # fmt: skip
    assert {code: territories.of(code).id for code in islands} == islands
    assert territories.of("2A004").id == territories.of("2B033").id == "corse"
    assert territories.of("97302").id == "guyane-littoral"
    assert territories.of("98818").id == "nouvelle-caledonie-grande-terre"
    assert territories.of("23096") == territories.of("50218") == MAINLAND  # Guéret; Granville, with Chausey


@pytest.mark.parametrize(
    ("code", "territory"),
    [
        ("2A004", "corse"),  # Ajaccio
        ("2B033", "corse"),  # Bastia
        ("56241", "belle-ile"),  # Sauzon
        ("56152", "belle-ile"),  # Le Palais
        ("97120", "guadeloupe"),  # Pointe-à-Pitre
        ("97131", "terre-de-haut"),  # Les Saintes
        ("97209", "martinique"),  # Fort-de-France
        ("97302", "guyane-littoral"),  # Cayenne
        ("97411", "la-reunion"),  # Saint-Denis
        ("97611", "mayotte-grande-terre"),  # Mamoudzou
        ("97608", "mayotte-petite-terre"),  # Dzaoudzi
    ],
)
async def test_searches_never_leave_the_territory(locator_client, code, territory):
    where = centre(code)
    sites = await locator_client.get("/v1/sites/nearest", params=where | {"limit": 100})
    assert sites.status_code == 200, sites.text
    results = sites.json()["results"]
    assert results, "every one of these territories has a France Services"
    assert {road_territory(r["site"]["address"]["insee_code"]) for r in results} == {territory}
    points = await locator_client.get("/v1/access-points/nearest", params=where | {"limit": 100})
    assert points.status_code == 200, points.text
    for point in points.json()["results"]:
        insee = (
            point["site"]["address"]["insee_code"] if point["type"] == "site" else point["stop"]["insee_code"]
        )
        if insee:
            assert road_territory(insee) == territory


async def test_belle_ile_is_answered_by_its_own_site_only(locator_client):
    body = (await locator_client.get("/v1/sites/nearest", params=centre("56241") | {"limit": 5})).json()
    assert [r["site"]["address"]["commune"] for r in body["results"]] == ["Le Palais"]
    assert body["origin"]["territory"] == "Belle-Île-en-Mer"


@pytest.mark.parametrize("path", ["/v1/sites/nearest", "/v1/access-points/nearest", "/v1/stops/nearest"])
async def test_new_caledonia_has_no_france_services(locator_client, path):
    for params in (centre("98818"), {"q": "Nouméa"}):
        response = await locator_client.get(path, params=params)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert NO_SITE in response.json()["detail"]
        assert "Nouvelle-Calédonie" in response.json()["detail"]


async def test_coverage_lists_territories_without_site_apart(locator_client):
    body = (await locator_client.get("/v1/coverage")).json()
    apart = {t["territory"]: t for t in body["territories_without_site"]}
    caledonia = apart["nouvelle-caledonie-grande-terre"]
    grande_terre = [r for r in commune_rows() if road_territory(r["code_insee"]) == caledonia["territory"]]
    assert caledonia["population"] == sum(int(r["population"] or 0) for r in grande_terre)
    assert set(caledonia["communes"]) == {r["code_insee"] for r in grande_terre}
    assert {"tahiti", "saul", "marie-galante"} <= set(apart)
    assert "ouessant" not in apart and "belle-ile" not in apart  # both have a France Services
    beyond = {c["insee_code"] for c in body["communes_beyond"]}
    assert not beyond & {code for t in apart.values() for code in t["communes"]}
    assert body["population_beyond"] >= sum(t["population"] for t in apart.values())
