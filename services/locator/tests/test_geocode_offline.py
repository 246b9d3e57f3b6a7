"""The offline geocoder reads what people type: addresses, postcodes, abbreviations, typos, old names."""

import csv

import pytest

from locator.data_files import COMMUNES_CSV, OLD_NAMES_CSV, SITES_CSV


async def first_place(client, q: str) -> dict:
    response = await client.get("/v1/geocode", params={"q": q})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == "communes"
    assert body["results"], q
    return body["results"][0]


async def test_a_full_postal_address_answers_its_commune(locator_client):
    q = "9 Rue des Papetiers 01200 Valserhône"
    place = await first_place(locator_client, q)
    assert (place["insee_code"], place["commune"], place["postcode"]) == ("01033", "Valserhône", "01200")
    assert place["precision"] == "municipality"
    nearest = await locator_client.get("/v1/sites/nearest", params={"q": q, "limit": 1})
    assert nearest.status_code == 200, nearest.text
    assert nearest.json()["origin"]["insee_code"] == "01033"
    assert nearest.json()["results"][0]["site"]["address"]["commune"] == "Valserhône"


@pytest.mark.parametrize(
    ("q", "insee_code"),
    [
        ("Mairie, 2 place du Champ de Foire, BP 12, 23000 GUERET CEDEX", "23096"),
        ("Service courrier CS 60021 63000 Clermont-Ferrand Cedex 1", "63113"),
        ("12 rue de l'Hôtel de Ville 75700 PARIS CEDEX 07", "75056"),  # a CEDEX code: Paris by its name
        ("Appartement 3, bâtiment B, 4 allée des Tilleuls 87000 Limoges", "87085"),
    ],
)
async def test_complements_cedex_and_boxes_are_read_past(locator_client, q, insee_code):
    assert (await first_place(locator_client, q))["insee_code"] == insee_code


@pytest.mark.parametrize(
    ("q", "insee_code", "departement"),
    [
        ("63240 Le Mont-Dore", "63236", "63"),  # not Le Mont-Dore of New Caledonia
        ("73110 La Rochette", "73215", "73"),  # not La Rochette (77)
    ],
)
async def test_a_postcode_restricts_homonyms(locator_client, q, insee_code, departement):
    place = await first_place(locator_client, q)
    assert place["insee_code"] == insee_code
    assert place["insee_code"].startswith(departement)


@pytest.mark.parametrize(
    ("q", "insee_code"),
    [
        ("ST YBARD", "19248"),  # Saint-Ybard, since 2019 a commune déléguée of Les Trois-Saints
        ("STES MARIES-DE-LA-MER", "13096"),
        ("st-etienne", "42218"),
        ("l'ile d'yeu", "85113"),
        ("LILE D YEU", "85113"),
        ("Argentonay", "79013"),  # a typo for Argentonnay
        ("Clermond-Ferrand", "63113"),
    ],
)
async def test_abbreviations_punctuation_and_small_typos_do_not_matter(locator_client, q, insee_code):
    assert (await first_place(locator_client, q))["insee_code"] == insee_code


@pytest.mark.parametrize(
    ("q", "insee_code", "commune"),
    [
        ("Le Hom", "14689", "Thury-Harcourt-le-Hom"),  # a commune nouvelle of 2016, merged again in 2019
        ("Monsols", "69135", "Deux-Grosnes"),  # merged into Deux-Grosnes in 2019
        ("69860 Monsols", "69135", "Deux-Grosnes"),
    ],
)
async def test_old_names_of_merged_communes_answer_the_commune_that_took_them_over(
    locator_client, q, insee_code, commune
):
    place = await first_place(locator_client, q)
    assert (place["insee_code"], place["commune"]) == (insee_code, commune)
    assert "anciennement" in place["label"]
    nearest = await locator_client.get("/v1/sites/nearest", params={"q": q, "limit": 1})
    assert nearest.status_code == 200 and nearest.json()["origin"]["insee_code"] == insee_code


def real_addresses(every: int = 20) -> list[tuple[str, str]]:
    """Every ``every``-th site of the national list: its postal address as written there (street,
    complement, postcode, commune) and the current commune it belongs to (its INSEE code, followed to
    the commune that took it over for the few codes merged since: data/README.md)."""
    with OLD_NAMES_CSV.open(encoding="utf-8") as f:
        taken_over = {r["code"]: r["commune_actuelle"] for r in csv.DictReader(f)}
    with COMMUNES_CSV.open(encoding="utf-8") as f:
        current = {r["code_insee"] for r in csv.DictReader(f)}
    with SITES_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[::every]
    found = []
    for r in rows:
        q = " ".join(p for p in (r["adresse"], r["complement_adresse"], r["code_postal"], r["lib_com"]) if p)
        code = r["insee_com"] if r["insee_com"] in current else taken_over.get(r["insee_com"], r["insee_com"])
        found.append((q, code))
    return found


async def test_real_addresses_answer_their_commune(locator_client):
    addresses = real_addresses()
    assert len(addresses) >= 100
    with COMMUNES_CSV.open(encoding="utf-8") as f:
        parent = {r["code_insee"]: r["commune_parente"] for r in csv.DictReader(f) if r["commune_parente"]}
    wrong = []
    for q, expected in addresses:
        response = await locator_client.get("/v1/geocode", params={"q": q[:200], "limit": 1})
        results = response.json()["results"]
        got = results[0]["insee_code"] if results else None
        if expected not in (got, parent.get(got or "")):
            wrong.append((q, expected, got))
    assert len(wrong) <= 0.02 * len(addresses), wrong


@pytest.mark.parametrize("path", ["/v1/geocode", "/v1/sites/nearest", "/v1/access-points/nearest"])
@pytest.mark.parametrize(
    ("q", "status"),
    [
        ("x" * 1000, 422),  # beyond the 200 characters allowed
        ("x" * 5000, 414),  # beyond the longest address (URL) any service accepts
        ("Gu\x00éret", 422),
        ("\x1b[31m23000", 422),
        ("23000\r\nX-Injected: 1", 422),
        ("   ", 422),
    ],
)
async def test_hostile_queries_are_problems_never_500(locator_client, path, q, status):
    response = await locator_client.get(path, params={"q": q})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "q", ["zzzzzzzzzzzzzz qqqqqqqq", "🏠🏠🏠 ☃", "1 2 3 4 5 6 7 8 9", "9" * 200, "%00%ff<script>"]
)
async def test_nonsense_finds_nothing_in_french(locator_client, q):
    geocode = await locator_client.get("/v1/geocode", params={"q": q})
    assert geocode.status_code == 200 and geocode.json()["results"] == []
    nearest = await locator_client.get("/v1/sites/nearest", params={"q": q})
    assert nearest.status_code == 404
    assert nearest.headers["content-type"].startswith("application/problem+json")
    assert nearest.json()["detail"].startswith(("Aucun lieu ne correspond", "Le code postal"))
