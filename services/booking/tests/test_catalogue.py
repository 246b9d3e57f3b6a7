async def test_starter_catalogue_has_25_demarches_of_the_nine_partners(booking_client):
    response = await booking_client.get("/v1/demarches")
    assert response.status_code == 200
    demarches = response.json()
    assert len(demarches) == 25
    assert {d["partner"] for d in demarches} == {
        "caf",
        "assurance_maladie",
        "assurance_retraite",
        "msa",
        "france_travail",
        "la_poste",
        "dgfip",
        "justice",
        "france_titres",
    }
    vitale = next(d for d in demarches if d["code"] == "ameli-carte-vitale")
    assert vitale["label"] == "Commander ou renouveler sa carte Vitale"
    assert vitale["documents"] and vitale["modalities"] == ["on_site"]


async def test_national_admin_adds_edits_and_deactivates_a_demarche(booking_client, admin_headers):
    body = {
        "code": "caf-test-pension",
        "label": "Demander l'allocation de soutien familial",
        "partner": "caf",
        "duration_minutes": 30,
        "documents": ["Pièce d'identité"],
        "modalities": ["on_site", "phone"],
    }
    created = await booking_client.post("/v1/demarches", json=body, headers=admin_headers)
    assert created.status_code == 201, created.text
    again = await booking_client.post("/v1/demarches", json=body, headers=admin_headers)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    edited = await booking_client.patch(
        "/v1/demarches/caf-test-pension", json={"duration_minutes": 45}, headers=admin_headers
    )
    assert edited.json()["duration_minutes"] == 45
    await booking_client.patch(
        "/v1/demarches/caf-test-pension", json={"active": False}, headers=admin_headers
    )
    codes = {d["code"] for d in (await booking_client.get("/v1/demarches")).json()}
    assert "caf-test-pension" not in codes
    assert (await booking_client.get("/v1/demarches/caf-test-pension")).status_code == 404


async def test_catalogue_admin_needs_a_national_admin_token(booking_client, make_token):
    body = {"label": "Autre libellé"}
    anonymous = await booking_client.patch("/v1/demarches/caf-rsa", json=body)
    assert anonymous.status_code == 401
    agent = {"Authorization": f"Bearer {make_token('site_admin', [1])}"}
    forbidden = await booking_client.patch("/v1/demarches/caf-rsa", json=body, headers=agent)
    assert forbidden.status_code == 403
    assert "administrateurs" in forbidden.json()["detail"]
