"""Agents: built-in login, tokens verified through the JWKS, brute-force limits, site scoping enforced by
booking whether called through the gateway or directly; an OpenID Connect provider in place of the login."""

import asyncio
import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from fs_common.agent_auth import AUDIENCE, ISSUER, Role, TokenVerifier
from fs_testkit.servers import serve_in_process
from fs_testkit.standins import OidcStandIn, rsa_key
from gateway.agents.tokens import TokenSigner, load_or_create_private_key
from gateway.config import GatewaySettings
from gateway.main import create_app

SITE_A, SITE_B = 1203, 1204
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def agent_a(cli) -> str:
    email = "agent-a@fs-test.example"
    cli("create-agent", "--email", email, "--sites", str(SITE_A), env={"GATEWAY_AGENT_PASSWORD": PASSWORD})
    return email


async def _login(gateway: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await gateway.post("/v1/auth/login", json={"email": email, "password": password})


async def test_login_gives_a_token_the_jwks_verifies(gateway: httpx.AsyncClient, agent_a: str):
    response = await _login(gateway, agent_a.upper())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["role"] == "agent" and body["sites"] == [SITE_A] and body["expires_in"] == 900
    jwks = (await gateway.get("/.well-known/jwks.json")).json()
    assert jwks["keys"][0]["kty"] == "OKP" and jwks["keys"][0]["alg"] == "EdDSA"
    verifier = TokenVerifier(jwks_url=f"{gateway.base_url}/.well-known/jwks.json")
    agent = await verifier.verify(body["access_token"])
    assert agent.role == Role.agent and agent.sites == frozenset({SITE_A})


async def test_a_deactivated_agent_cannot_sign_in_until_reactivated(gateway: httpx.AsyncClient, cli):
    email = "leaving@fs-test.example"
    env = {"GATEWAY_AGENT_PASSWORD": PASSWORD}
    await asyncio.to_thread(cli, "create-agent", "--email", email, "--sites", str(SITE_A), env=env)
    assert (await _login(gateway, email)).status_code == 200
    assert "deactivated" in await asyncio.to_thread(cli, "deactivate-agent", email.upper())
    refused = await _login(gateway, email)
    assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
    await asyncio.to_thread(cli, "reactivate-agent", email)
    assert (await _login(gateway, email)).status_code == 200


async def test_site_scoping_through_the_gateway_and_directly(gateway: httpx.AsyncClient, cli, booking_server):
    near = await gateway.get("/v1/help-near-me", params={"q": "23000", "demarche": "caf-rsa", "limit": 10})
    site_a, site_b = [
        r for r in near.json()["results"] if r["type"] == "site" and r["booking"] == "available"
    ][:2]
    starts_at = site_b["next_slot"]["starts_at"]
    person = {"name": "Camille Test", "email": "camille@example.org"}
    booked = await gateway.post(
        "/v1/bookings",
        json={"site_id": site_b["id"], "demarches": ["caf-rsa"], "starts_at": starts_at, "person": person},
        headers={"Idempotency-Key": "gateway-scoping-test-0001"},
    )
    assert booked.status_code == 201, booked.text
    tokens = {}
    for name, site in (("a", site_a), ("b", site_b)):
        email = f"scope-{name}@fs-test.example"
        env = {"GATEWAY_AGENT_PASSWORD": PASSWORD}
        await asyncio.to_thread(cli, "create-agent", "--email", email, "--sites", str(site["id"]), env=env)
        tokens[name] = {"Authorization": f"Bearer {(await _login(gateway, email)).json()['access_token']}"}
    day_b = f"/v1/agent/sites/{site_b['id']}/bookings?date={starts_at[:10]}"

    other = await gateway.get(day_b, headers=tokens["a"])
    assert other.status_code == 403, other.text
    assert other.headers["content-type"] == "application/problem+json"
    own = await gateway.get(day_b, headers=tokens["b"])
    assert own.status_code == 200, own.text
    assert booked.json()["id"] in [b["id"] for b in own.json()]
    async with httpx.AsyncClient(base_url=booking_server.url) as booking:
        assert (await booking.get(day_b, headers=tokens["a"])).status_code == 403
        assert (await booking.get(day_b)).status_code == 401
        assert (await booking.get(day_b, headers=tokens["b"])).status_code == 200


async def test_expired_or_forged_tokens_are_refused(gateway: httpx.AsyncClient, booking_server):
    forged = TokenSigner(ed25519.Ed25519PrivateKey.generate(), 900).issue(
        subject="x", role=Role.national_admin, sites=[]
    )
    expired_claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "x",
        "role": "national_admin",
        "sites": [],
        "exp": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
    }
    expired = jwt.encode(expired_claims, "not-our-key-but-expired-anyway-0123456789", algorithm="HS256")
    for token in (forged, expired, "not.a.token"):
        for client_url in (str(gateway.base_url), booking_server.url):
            async with httpx.AsyncClient(base_url=client_url) as client:
                refused = await client.get(
                    f"/v1/agent/sites/{SITE_A}/agenda", headers={"Authorization": f"Bearer {token}"}
                )
                assert refused.status_code == 401, (client_url, refused.text)
    assert (await gateway.get(f"/v1/agent/sites/{SITE_A}/agenda")).status_code == 401


async def test_expired_token_of_our_own_key_is_refused(gateway: httpx.AsyncClient, gateway_settings):
    signer = TokenSigner(
        __import__("gateway.agents.tokens", fromlist=["x"]).load_or_create_private_key(
            "", gateway_settings.jwt_private_key_file
        ),
        900,
    )
    old = signer.issue(
        subject="x", role=Role.agent, sites=[SITE_A], now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    )
    refused = await gateway.get(
        f"/v1/agent/sites/{SITE_A}/agenda", headers={"Authorization": f"Bearer {old}"}
    )
    assert refused.status_code == 401
    assert "expiré" in refused.json()["detail"]


async def test_brute_force_is_stopped_per_email(gateway: httpx.AsyncClient, cli):
    email = "agent-bf@fs-test.example"
    env = {"GATEWAY_AGENT_PASSWORD": PASSWORD}
    await asyncio.to_thread(cli, "create-agent", "--email", email, "--sites", str(SITE_A), env=env)
    for _ in range(5):
        assert (await _login(gateway, email, "wrong")).status_code == 401
    blocked = await _login(gateway, email)  # even the right password, until the window ends
    assert blocked.status_code == 429
    assert blocked.headers["retry-after"]
    assert blocked.headers["content-type"] == "application/problem+json"


# --- OpenID Connect ---------------------------------------------------------------------------------

OIDC_CLIENT_ID = "france-services-gateway-test"


@pytest.fixture(scope="module")
def oidc_provider(thread_server) -> Iterator[OidcStandIn]:
    """A local OpenID provider: discovery document and JWKS over real HTTP."""
    provider = OidcStandIn(OIDC_CLIENT_ID, sub="u-42")
    server = thread_server(provider.app)
    provider.url = server.url
    server.start()
    yield provider
    server.stop()


async def test_oidc_provider_replaces_the_builtin_login(
    gateway_settings: GatewaySettings, oidc_provider: OidcStandIn, agent_a: str
):
    settings = gateway_settings.model_copy(
        update={"auth_provider": "oidc", "oidc_issuer": oidc_provider.url, "oidc_client_id": OIDC_CLIENT_ID}
    )
    async with serve_in_process(create_app(settings)) as gateway:
        assert (await _login(gateway, agent_a)).status_code == 403

        async def exchange(token: str) -> httpx.Response:
            return await gateway.post("/v1/auth/oidc/token", json={"id_token": token})

        mapped = await exchange(oidc_provider.id_token(fs_role="site_admin", fs_sites=[SITE_B]))
        assert mapped.status_code == 200, mapped.text
        assert mapped.json()["role"] == "site_admin" and mapped.json()["sites"] == [SITE_B]
        jwks = (await gateway.get("/.well-known/jwks.json")).json()
        key = jwt.PyJWKSet.from_dict(jwks).keys[0]
        claims = jwt.decode(mapped.json()["access_token"], key, algorithms=["EdDSA"], audience=AUDIENCE)
        assert claims["sub"] == "oidc:u-42" and claims["iss"] == ISSUER

        by_email = await exchange(oidc_provider.id_token(email=agent_a, email_verified=True))
        assert by_email.status_code == 200 and by_email.json()["sites"] == [SITE_A]

        unknown = await exchange(oidc_provider.id_token(email="x@y.example", email_verified=True))
        assert unknown.status_code == 403
        wrong_audience = oidc_provider.id_token(aud="someone-else", fs_role="agent")
        assert (await exchange(wrong_audience)).status_code == 401
        forged = oidc_provider.id_token(key=rsa_key(), fs_role="agent")
        assert (await exchange(forged)).status_code == 401
        assert (await exchange("garbage")).status_code == 401


def test_national_admin_uses_the_admin_api_and_an_agent_cannot(cli, gateway_server, agent_a: str):
    email = "admin@fs-test.example"
    output = cli(
        "create-agent", "--email", email, "--role", "national_admin", env={"GATEWAY_AGENT_PASSWORD": PASSWORD}
    )
    assert "national_admin" in output
    with httpx.Client(base_url=gateway_server.url) as client:
        tokens = {
            who: client.post("/v1/auth/login", json={"email": who, "password": PASSWORD}).json()[
                "access_token"
            ]
            for who in (email, agent_a)
        }
        admin = client.get("/admin/partner-keys", headers={"Authorization": f"Bearer {tokens[email]}"})
        assert admin.status_code == 200
        agent = client.get("/admin/partner-keys", headers={"Authorization": f"Bearer {tokens[agent_a]}"})
        assert agent.status_code == 403

        # The locator's admin API, through the gateway: the bus stops of Nemours' itinerant service.
        stops = "/v1/admin/sites/1960/stops"
        stop = {"name": "Mairie de Darvault", "insee_code": "77156", "visits": [{"weekdays": [0]}]}
        refused = client.post(stops, json=stop, headers={"Authorization": f"Bearer {tokens[agent_a]}"})
        assert refused.status_code == 403
        created = client.post(stops, json=stop, headers={"Authorization": f"Bearer {tokens[email]}"})
        assert created.status_code == 201, created.text
        removed = client.delete(
            f"{stops}/{created.json()['id']}", headers={"Authorization": f"Bearer {tokens[email]}"}
        )
        assert removed.status_code == 204
    assert "OIDC" not in cli(
        "create-agent", "--email", "oidc-only@fs-test.example", "--sites", "1", "--no-password"
    )


async def test_brute_force_is_stopped_per_ip(gateway_settings: GatewaySettings, agent_a: str):
    app = create_app(gateway_settings.model_copy(update={"login_per_ip": "3/minute"}))
    async with serve_in_process(app):
        clients = {
            ip: httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=(ip, 1234)), base_url="http://gw"
            )
            for ip in ("192.0.2.20", "192.0.2.21")
        }
        try:
            attacker, colleague = clients["192.0.2.20"], clients["192.0.2.21"]
            for n in range(3):  # a different e-mail each time: only the per-IP limit can stop this
                assert (await _login(attacker, f"guess-{n}@fs-test.example", "wrong")).status_code == 401
            assert (await _login(attacker, agent_a)).status_code == 429
            assert (await _login(colleague, agent_a)).status_code == 200
        finally:
            for client in clients.values():
                await client.aclose()


def test_gateways_starting_together_share_one_signing_key(tmp_path):
    """Replicas sharing a key file, started at the same moment: none fails, all sign with the same key."""
    for round_ in range(20):
        path = tmp_path / f"round-{round_}" / "agent-key.pem"
        start = threading.Barrier(8)

        def load(path=path, start=start):
            start.wait()
            return TokenSigner(load_or_create_private_key("", path), 900).kid

        with ThreadPoolExecutor(8) as pool:
            kids = set(pool.map(lambda _: load(), range(8)))
        assert len(kids) == 1
        assert [p.name for p in path.parent.iterdir()] == ["agent-key.pem"]
