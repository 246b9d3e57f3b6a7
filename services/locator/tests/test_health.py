async def test_health_ready_and_metrics(locator_client):
    assert (await locator_client.get("/healthz")).json() == {"status": "ok"}
    ready = await locator_client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "search_index": "ok"}
    await locator_client.get("/v1/sites/1")
    metrics = await locator_client.get("/metrics")
    assert 'route="/v1/sites/{site_id}"' in metrics.text


async def test_request_id_is_kept_when_well_formed_and_created_otherwise(locator_client):
    kept = await locator_client.get("/healthz", headers={"X-Request-ID": "abc-123-def-456"})
    assert kept.headers["x-request-id"] == "abc-123-def-456"
    created = await locator_client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert created.headers["x-request-id"] != "bad id\twith spaces"
    assert len(created.headers["x-request-id"]) == 32
