async def test_ready_when_database_and_redis_answer(notify_client):
    assert (await notify_client.get("/healthz")).json() == {"status": "ok"}
    response = await notify_client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}
