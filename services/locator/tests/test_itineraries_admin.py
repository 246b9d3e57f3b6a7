"""Admin API of itineraries: who may use it (agents' tokens, the static token), validation,
create/edit/delete, and re-import safety."""

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text

from fs_testkit.servers import serve_in_process
from fs_testkit.tokens import AgentKey
from locator.data_files import SITES_CSV
from locator.imports import in_transaction, read_source, run_import_sites
from locator.main import create_app

TOKEN = "test-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SITE = 1960  # Nemours' itinerant service (77)
PROBLEM = "application/problem+json"


SIGNING_KEY = AgentKey()  # the gateway's, as far as this locator knows


def agent_auth(role: str, sites: list[int], expires_in_s: int = 300) -> dict[str, str]:
    """An agent token as the gateway signs it (fs_common.agent_auth's contract)."""
    return SIGNING_KEY.headers(
        role, sites, sub=f"agent-{role}", expires_in=dt.timedelta(seconds=expires_in_s)
    )


@pytest.fixture(scope="module")
async def admin_client(locator_settings) -> AsyncIterator[httpx.AsyncClient]:
    settings = locator_settings.model_copy(
        update={"admin_token": TOKEN, "agent_public_key_pem": SIGNING_KEY.public_pem}
    )
    async with serve_in_process(create_app(settings), "http://locator-admin") as client:
        yield client


@pytest.fixture
async def created(admin_client) -> AsyncIterator[list[int]]:
    """Ids of the stops a test creates on SITE, deleted afterwards."""
    ids: list[int] = []
    yield ids
    for stop_id in ids:
        await admin_client.delete(f"/v1/admin/sites/{SITE}/stops/{stop_id}", headers=AUTH)


def monday_morning(**extra) -> dict:
    return {"weekdays": [0], "ranges": [{"opens": "09:00", "closes": "12:00"}]} | extra


async def test_no_static_token_is_accepted_when_none_is_configured(locator_client):
    response = await locator_client.post(f"/v1/admin/sites/{SITE}/stops", json={}, headers=AUTH)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        (agent_auth("national_admin", []), 201),
        (agent_auth("site_admin", [SITE]), 201),
        (agent_auth("site_admin", [SITE + 1]), 403),  # another France Services
        (agent_auth("agent", [SITE]), 403),  # agents book, admins edit itineraries
        (agent_auth("national_admin", [], expires_in_s=-60), 401),
    ],
)
async def test_admins_tokens_from_the_gateway(admin_client, created, headers, status):
    body = {"name": "Place de l'église", "insee_code": "77156", "visits": [monday_morning()]}
    response = await admin_client.post(f"/v1/admin/sites/{SITE}/stops", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json" if status == 201 else PROBLEM)
    if status == 201:
        created.append(response.json()["id"])


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Basic abc"}, 401),
        ({"Authorization": "Bearer "}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
    ],
)
async def test_token_required(admin_client, headers, status):
    response = await admin_client.post(f"/v1/admin/sites/{SITE}/stops", json={"name": "x"}, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM)
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_create_edit_delete_a_stop(admin_client, created):
    response = await admin_client.post(
        f"/v1/admin/sites/{SITE}/stops",
        json={"name": "Mairie de Darvault", "insee_code": "77156", "visits": [monday_morning()]},
        headers=AUTH,
    )
    assert response.status_code == 201, response.text
    stop = response.json()
    created.append(stop["id"])
    assert stop["source"] == "admin" and stop["commune"] == "Darvault" and stop["site"]["id"] == SITE
    assert stop["next_visits"] and all(v["start"][11:16] == "09:00" for v in stop["next_visits"])

    itinerary = (await admin_client.get(f"/v1/sites/{SITE}/stops")).json()
    assert stop["id"] in [s["id"] for s in itinerary["stops"]]

    patch = await admin_client.patch(
        f"/v1/admin/sites/{SITE}/stops/{stop['id']}",
        json={
            "location": {"lat": 48.27, "lon": 2.74},
            "visits": [{"dates": ["2030-01-08"], "valid_until": "2030-12-31"}],
        },
        headers=AUTH,
    )
    assert patch.status_code == 200, patch.text
    edited = patch.json()
    assert edited["location"] == {"lat": 48.27, "lon": 2.74}
    assert edited["insee_code"] is None and edited["name"] == "Mairie de Darvault"
    assert edited["visits"][0]["dates"] == ["2030-01-08"] and edited["next_visits"] == []

    deleted = await admin_client.delete(f"/v1/admin/sites/{SITE}/stops/{stop['id']}", headers=AUTH)
    assert deleted.status_code == 204
    again = await admin_client.delete(f"/v1/admin/sites/{SITE}/stops/{stop['id']}", headers=AUTH)
    assert again.status_code == 404 and again.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "insee_code": "77156", "visits": [{"weekdays": [7]}]},
        {"name": "x", "insee_code": "77156", "visits": [{"weekdays": [-1]}]},
        {
            "name": "x",
            "insee_code": "77156",
            "visits": [{"weekdays": [0], "ranges": [{"opens": "12:00", "closes": "09:00"}]}],
        },
        {
            "name": "x",
            "insee_code": "77156",
            "visits": [{"weekdays": [0], "ranges": [{"opens": "25:00", "closes": "26:00"}]}],
        },
        {
            "name": "x",
            "insee_code": "77156",
            "visits": [{"weekdays": [0], "ranges": [{"opens": "9h", "closes": "12h"}]}],
        },
        {
            "name": "x",
            "insee_code": "77156",
            "visits": [
                {
                    "weekdays": [0],
                    "ranges": [{"opens": "09:00", "closes": "12:00"}, {"opens": "11:00", "closes": "13:00"}],
                }
            ],
        },
        {"name": "x", "insee_code": "77156", "visits": [{"weekdays": [0], "dates": ["2030-01-01"]}]},
        {"name": "x", "insee_code": "77156", "visits": [{}]},
        {"name": "x", "insee_code": "77156", "visits": [{"dates": ["2030-02-30"]}]},
        {
            "name": "x",
            "insee_code": "77156",
            "visits": [monday_morning(valid_from="2030-02-01", valid_until="2030-01-01")],
        },
        {"name": "x", "insee_code": "77156", "visits": [monday_morning(weeks_of_month=[6])]},
        {"name": "x", "insee_code": "77156", "visits": [monday_morning(week_parity="sometimes")]},
        {"name": "x", "insee_code": "77156", "visits": [monday_morning(colour="blue")]},
        {"name": "x"},
        {"name": "", "insee_code": "77156"},
        {"name": "x", "insee_code": "7715"},
        {"name": "x", "location": {"lat": 95, "lon": 2}},
        {"name": "x", "insee_code": "99999"},
        {"name": "x", "insee_code": "75101"},  # an arrondissement, not a commune
    ],
)
async def test_invalid_stops_are_rejected(admin_client, body):
    response = await admin_client.post(f"/v1/admin/sites/{SITE}/stops", json=body, headers=AUTH)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["detail"]


async def test_unknown_site_fixed_site_unknown_stop_and_garbage(admin_client, locator_client):
    body = {"name": "x", "insee_code": "77156", "visits": [monday_morning()]}
    unknown = await admin_client.post("/v1/admin/sites/999999/stops", json=body, headers=AUTH)
    assert unknown.status_code == 404
    fixed = (await locator_client.get("/v1/sites", params={"kind": "fixed", "limit": 1})).json()["items"][0]
    on_fixed = await admin_client.post(f"/v1/admin/sites/{fixed['id']}/stops", json=body, headers=AUTH)
    assert on_fixed.status_code == 422 and "fixe" in on_fixed.json()["detail"]
    missing = await admin_client.patch(
        f"/v1/admin/sites/{SITE}/stops/999999", json={"name": "y"}, headers=AUTH
    )
    assert missing.status_code == 404
    garbage = await admin_client.post(
        f"/v1/admin/sites/{SITE}/stops",
        content=b"{not json",
        headers=AUTH | {"Content-Type": "application/json"},
    )
    assert garbage.status_code == 422
    null_name = await admin_client.patch(f"/v1/admin/sites/{SITE}/stops/1", json={"name": None}, headers=AUTH)
    assert null_name.status_code == 422
    for response in (unknown, on_fixed, missing, garbage, null_name):
        assert response.headers["content-type"].startswith(PROBLEM)


async def test_reimport_keeps_admin_stops_and_edited_extracted_ones(locator_settings, admin_client, created):
    extracted = [
        s
        for s in (await admin_client.get(f"/v1/sites/{SITE}/stops")).json()["stops"]
        if s["commune"] == "Amponville"
    ][0]
    assert extracted["source"] == "commentaire"
    made = await admin_client.post(
        f"/v1/admin/sites/{SITE}/stops",
        json={"name": "Marché de Nemours", "insee_code": "77333", "visits": [monday_morning()]},
        headers=AUTH,
    )
    created.append(made.json()["id"])
    edit = await admin_client.patch(
        f"/v1/admin/sites/{SITE}/stops/{extracted['id']}",
        json={"visits": [{"weekdays": [1], "ranges": [{"opens": "14:00", "closes": "16:00"}]}]},
        headers=AUTH,
    )
    assert edit.status_code == 200 and edit.json()["source"] == "admin"

    await in_transaction(
        locator_settings.database_url, lambda s: run_import_sites(s, read_source(str(SITES_CSV)))
    )
    stops = (await admin_client.get(f"/v1/sites/{SITE}/stops")).json()["stops"]
    amponville = [s for s in stops if s["commune"] == "Amponville"]
    assert len(amponville) == 1, "the edited stop is not extracted again"
    assert amponville[0]["id"] == extracted["id"]
    assert amponville[0]["visits"][0]["ranges"] == [{"opens": "14:00", "closes": "16:00"}]
    assert made.json()["id"] in [s["id"] for s in stops]
    # Back to the extracted version: delete the edit and import again.
    await admin_client.delete(f"/v1/admin/sites/{SITE}/stops/{extracted['id']}", headers=AUTH)
    await in_transaction(
        locator_settings.database_url, lambda s: run_import_sites(s, read_source(str(SITES_CSV)))
    )
    restored = [
        s
        for s in (await admin_client.get(f"/v1/sites/{SITE}/stops")).json()["stops"]
        if s["commune"] == "Amponville"
    ]
    assert [s["source"] for s in restored] == ["commentaire"]


async def test_a_removed_extracted_stop_stays_removed_after_a_reimport(locator_settings, admin_client):
    extracted = [
        s
        for s in (await admin_client.get(f"/v1/sites/{SITE}/stops")).json()["stops"]
        if s["source"] == "commentaire" and s["commune"] != "Amponville"
    ][0]
    near_it = {"lat": extracted["location"]["lat"], "lon": extracted["location"]["lon"], "limit": 50}
    removed = await admin_client.delete(f"/v1/admin/sites/{SITE}/stops/{extracted['id']}", headers=AUTH)
    assert removed.status_code == 204
    try:
        await in_transaction(
            locator_settings.database_url, lambda s: run_import_sites(s, read_source(str(SITES_CSV)))
        )
        stops = (await admin_client.get(f"/v1/sites/{SITE}/stops")).json()["stops"]
        assert extracted["id"] not in [s["id"] for s in stops]
        assert (extracted["commune"], extracted["name"]) not in [(s["commune"], s["name"]) for s in stops]
        nearest = (await admin_client.get("/v1/stops/nearest", params=near_it)).json()["results"]
        assert extracted["id"] not in [r["stop"]["id"] for r in nearest]
        again = await admin_client.delete(f"/v1/admin/sites/{SITE}/stops/{extracted['id']}", headers=AUTH)
        assert again.status_code == 404
    finally:  # give the shared test database its extracted stop back
        await in_transaction(
            locator_settings.database_url,
            lambda s: s.execute(
                text("UPDATE stop SET source = 'commentaire' WHERE id = :id"), {"id": extracted["id"]}
            ),
        )
    assert extracted["id"] in [
        s["id"] for s in (await admin_client.get(f"/v1/sites/{SITE}/stops")).json()["stops"]
    ]
