"""GET /v1/help-near-me: places from the locator, next free slots from booking, ranked; partial answers."""

import asyncio

import httpx
import pytest

DEMARCHE = "caf-rsa"


async def _wait_until_booking_answers(gateway: httpx.AsyncClient) -> None:
    for _ in range(100):
        if (await gateway.get("/v1/demarches")).status_code == 200:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("booking did not come back")


async def test_nearest_places_with_their_next_free_slot(gateway: httpx.AsyncClient):
    response = await gateway.get("/v1/help-near-me", params={"q": "23000", "demarche": DEMARCHE, "limit": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["partial"] is False and body["warnings"] == []
    assert body["origin"]["label"]
    results = body["results"]
    assert 1 <= len(results) <= 5
    assert [r["score_min"] for r in results] == sorted(r["score_min"] for r in results)
    bookable = [r for r in results if r["booking"] == "available"]
    assert bookable, results
    first = bookable[0]
    assert first["next_slot"]["starts_at"] and first["wait_hours"] >= 0
    expected = first["travel_time_min"] + 1.25 * first["wait_hours"]
    assert abs(first["score_min"] - expected) < 0.2
    slots = await gateway.get(first["slots_path"])
    assert slots.status_code == 200
    assert slots.json()["slots"][0]["starts_at"] == first["next_slot"]["starts_at"]


async def test_each_place_says_when_it_is_open_or_the_bus_comes(gateway: httpx.AsyncClient, booking_server):
    """Near Monthois (08), served by fixed sites and by the bus of the Argonne ardennaise. Booking is
    stopped, so that every place is kept (the stops have no agenda for this démarche otherwise)."""
    point = {"lat": 49.3112, "lon": 4.7094}
    places = (await gateway.get("/v1/access-points/nearest", params=point | {"limit": 20})).json()["results"]
    by_key = {(p["type"], (p["site"] or p["stop"])["id"]): p for p in places}
    await _wait_until_booking_answers(gateway)
    await asyncio.to_thread(booking_server.stop)
    try:
        response = await gateway.get("/v1/help-near-me", params=point | {"demarche": DEMARCHE, "limit": 10})
    finally:
        await asyncio.to_thread(booking_server.start)
    await _wait_until_booking_answers(gateway)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert {r["type"] for r in results} == {"site", "stop"}, results
    for result in results:
        place = by_key[(result["type"], result["id"])]
        if result["type"] == "site":
            assert result["open_now"] == place["site"]["open_now"]
            assert result["next_opening"] == place["site"]["next_opening"]
        else:
            visit = place["stop"]["next_visits"][0]
            assert result["open_now"] is None
            assert result["next_opening"] == {"start": visit["start"], "end": visit["end"]}


async def test_bad_requests(gateway: httpx.AsyncClient):
    unknown = await gateway.get("/v1/help-near-me", params={"q": "23000", "demarche": "no-such-thing"})
    assert unknown.status_code == 422
    assert "inconnue" in unknown.json()["detail"]
    nowhere = await gateway.get("/v1/help-near-me", params={"demarche": DEMARCHE})
    assert nowhere.status_code == 422
    assert nowhere.headers["content-type"] == "application/problem+json"


async def test_partial_answer_when_booking_is_down(gateway: httpx.AsyncClient, booking_server):
    await _wait_until_booking_answers(gateway)
    await asyncio.to_thread(booking_server.stop)
    try:
        response = await gateway.get(
            "/v1/help-near-me", params={"lat": 46.17, "lon": 1.87, "demarche": DEMARCHE}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["partial"] is True
        assert "rendez-vous" in body["warnings"][0]
        assert body["results"] and all(r["booking"] == "unknown" for r in body["results"])
        times = [r["travel_time_min"] for r in body["results"]]
        assert times == sorted(times)
    finally:
        await asyncio.to_thread(booking_server.start)
    await _wait_until_booking_answers(gateway)


@pytest.mark.parametrize("demarche", ["caf-rsa/../../metrics", "caf\x1arsa", "_à{Æ/_r7", "x" * 80])
async def test_a_demarche_that_cannot_be_a_code_is_422(gateway: httpx.AsyncClient, demarche: str):
    response = await gateway.get("/v1/help-near-me", params={"demarche": demarche, "lat": 46.17, "lon": 1.87})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
