async def test_ready_when_database_and_redis_answer(booking_client):
    assert (await booking_client.get("/healthz")).json() == {"status": "ok"}
    response = await booking_client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}
