from fs_testkit.servers import serve_in_process
from gateway.config import GatewaySettings
from gateway.main import create_app


async def test_not_ready_while_services_are_unreachable(tmp_path):
    settings = GatewaySettings(
        locator_url="http://127.0.0.1:9",
        booking_url="http://127.0.0.1:9",
        notify_url="http://127.0.0.1:9",
        jwt_private_key_file=tmp_path / "key.pem",
        log_json=False,
    )
    async with serve_in_process(create_app(settings)) as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.headers["content-type"] == "application/problem+json"
        assert ready.json()["checks"]["redis"] == "ok"
        down = await client.get("/v1/sites/nearest", params={"q": "23000"})
        assert down.status_code == 503
        assert down.headers["retry-after"]
        assert "indisponible" in down.json()["detail"]
