"""Partner keys: quotas per key and per IP, CORS only for the key's origins, revocation at once."""

import re

import httpx

from fs_testkit.servers import serve_in_process
from gateway.config import GatewaySettings
from gateway.main import create_app

NEAREST = "/v1/sites/nearest"
PARAMS = {"q": "23000", "limit": 1}
PARTNER_ORIGIN = "https://partner-a.example"


async def _create(admin: httpx.AsyncClient, **data) -> dict:
    response = await admin.post("/admin/partner-keys", json=data)
    assert response.status_code == 201, response.text
    return response.json()


async def test_over_quota_gets_429_and_another_partner_is_unaffected(
    gateway: httpx.AsyncClient, admin: httpx.AsyncClient
):
    small = await _create(admin, partner="Mairie test", per_minute=3, origins=[PARTNER_ORIGIN])
    other = await _create(admin, partner="CAF test", per_minute=100)
    for remaining in (2, 1, 0):
        ok = await gateway.get(NEAREST, params=PARAMS, headers={"X-Api-Key": small["key"]})
        assert ok.status_code == 200
        assert ok.headers["ratelimit-limit"] == "3"
        assert ok.headers["ratelimit-remaining"] == str(remaining)
    refused = await gateway.get(NEAREST, params=PARAMS, headers={"X-Api-Key": small["key"]})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-remaining"] == "0"
    assert "quota" in refused.json()["detail"]
    assert (await gateway.get(NEAREST, params=PARAMS, headers={"X-Api-Key": other["key"]})).status_code == 200


async def test_cors_only_for_the_keys_origins(gateway: httpx.AsyncClient, admin: httpx.AsyncClient):
    key = (await _create(admin, partner="Département test", origins=[PARTNER_ORIGIN]))["key"]
    granted = await gateway.get(NEAREST, params=PARAMS, headers={"X-Api-Key": key, "Origin": PARTNER_ORIGIN})
    assert granted.status_code == 200
    assert granted.headers["access-control-allow-origin"] == PARTNER_ORIGIN
    assert "RateLimit-Remaining" in granted.headers["access-control-expose-headers"]
    foreign = await gateway.get(
        NEAREST, params=PARAMS, headers={"X-Api-Key": key, "Origin": "https://elsewhere.example"}
    )
    assert foreign.status_code == 403
    # The refusal itself is readable by that page, so the widget can say why; it holds no data.
    assert foreign.headers["access-control-allow-origin"] == "https://elsewhere.example"
    assert "origine non déclarée" in foreign.json()["detail"]
    unknown = await gateway.get(
        NEAREST, params=PARAMS, headers={"X-Api-Key": "fs_unknown", "Origin": PARTNER_ORIGIN}
    )
    assert unknown.status_code == 401
    assert unknown.headers["access-control-allow-origin"] == PARTNER_ORIGIN

    same_origin = await gateway.get(
        NEAREST, params=PARAMS, headers={"X-Api-Key": key, "Origin": str(gateway.base_url).rstrip("/")}
    )
    assert same_origin.status_code == 200  # a page served by the gateway itself, e.g. the demo

    preflight = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-api-key"}
    ok = await gateway.options(NEAREST, headers=preflight | {"Origin": PARTNER_ORIGIN})
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == PARTNER_ORIGIN
    assert "x-api-key" in ok.headers["access-control-allow-headers"]
    no = await gateway.options(NEAREST, headers=preflight | {"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in no.headers

    anonymous = await gateway.get(NEAREST, params=PARAMS, headers={"Origin": PARTNER_ORIGIN})
    assert anonymous.status_code == 200
    assert "access-control-allow-origin" not in anonymous.headers


async def test_revoked_key_stops_at_once(gateway: httpx.AsyncClient, admin: httpx.AsyncClient):
    created = await _create(admin, partner="Révoquée test")
    headers = {"X-Api-Key": created["key"]}
    assert (await gateway.get(NEAREST, params=PARAMS, headers=headers)).status_code == 200  # now cached
    revoked = await admin.delete(f"/admin/partner-keys/{created['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"]
    refused = await gateway.get(NEAREST, params=PARAMS, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await gateway.get(NEAREST, params=PARAMS, headers={"X-Api-Key": "fsk_nope"})).status_code == 401


def test_keys_from_the_command_line(cli, gateway_server):
    output = cli("create-key", "--partner", "Ligne de commande", "--origin", "https://cli.example/")
    key_id = re.search(r"id:\s+(\S+)", output).group(1)
    key = re.search(r"key:\s+(fsk_\S+)", output).group(1)
    with httpx.Client(base_url=gateway_server.url) as client:
        headers = {"X-Api-Key": key, "Origin": "https://cli.example"}
        used = client.get(NEAREST, params=PARAMS, headers=headers)
        assert used.status_code == 200
        assert used.headers["access-control-allow-origin"] == "https://cli.example"
        listing = cli("list-keys")
        assert key_id in listing and key not in listing
        cli("revoke-key", key_id)
        assert client.get(NEAREST, params=PARAMS, headers=headers).status_code == 401


async def test_admin_api_needs_the_admin(gateway: httpx.AsyncClient):
    assert (await gateway.get("/admin/partner-keys")).status_code == 401
    wrong = await gateway.get("/admin/partner-keys", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


async def test_anonymous_calls_are_limited_per_ip(gateway_settings: GatewaySettings):
    settings = gateway_settings.model_copy(update={"anonymous_per_minute": 2})
    app = create_app(settings)
    async with serve_in_process(app):
        transports = {
            ip: httpx.ASGITransport(app=app, client=(ip, 1234)) for ip in ("192.0.2.10", "192.0.2.11")
        }
        async with (
            httpx.AsyncClient(transport=transports["192.0.2.10"], base_url="http://gw") as first,
            httpx.AsyncClient(transport=transports["192.0.2.11"], base_url="http://gw") as second,
        ):
            assert (await first.get(NEAREST, params=PARAMS)).status_code == 200
            assert (await first.get(NEAREST, params=PARAMS)).status_code == 200
            refused = await first.get(NEAREST, params=PARAMS)
            assert refused.status_code == 429
            assert refused.headers["retry-after"]
            assert (await second.get(NEAREST, params=PARAMS)).status_code == 200
