"""Abuse of what is meant to be used: sign-in guessed in parallel, a partner key copied from its page,
made-up identity tokens. Each gateway here runs in-process so that callers can come from several IPs."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from fs_testkit.standins import OidcStandIn
from gateway.config import GatewaySettings
from gateway.main import create_app

PASSWORD = "correct horse battery staple"
SITE = 1203
CLIENT_ID = "france-services-abuse-test"


@contextlib.asynccontextmanager
async def gateway_from(settings: GatewaySettings) -> AsyncIterator:
    """A gateway in-process; ``client(ip)`` gives an httpx client whose calls come from ``ip``."""
    app = create_app(settings)
    async with app.router.lifespan_context(app), contextlib.AsyncExitStack() as clients:

        async def client(ip: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app, client=(ip, 40000))
            return await clients.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://testserver")
            )

        yield client


async def test_parallel_wrong_passwords_run_at_most_the_limit_of_verifications(gateway_settings, cli):
    email = f"agent-guess-{uuid.uuid4().hex[:8]}@fs-test.example"
    await asyncio.to_thread(
        cli, "create-agent", "--email", email, "--sites", str(SITE), env={"GATEWAY_AGENT_PASSWORD": PASSWORD}
    )
    async with gateway_from(gateway_settings) as client:
        attacker = await client("203.0.113.30")
        guesses = [
            attacker.post("/v1/auth/login", json={"email": email, "password": f"guess-{i}"})
            for i in range(30)
        ]
        statuses = [r.status_code for r in await asyncio.gather(*guesses)]
    # A 401 is a verified password; a 429 was refused before any verification.
    assert statuses.count(401) <= 5
    assert statuses.count(401) + statuses.count(429) == 30
    assert statuses.count(429) >= 25


async def test_a_successful_sign_in_is_not_counted_as_an_attempt(gateway_settings, cli):
    email = f"agent-often-{uuid.uuid4().hex[:8]}@fs-test.example"
    await asyncio.to_thread(
        cli, "create-agent", "--email", email, "--sites", str(SITE), env={"GATEWAY_AGENT_PASSWORD": PASSWORD}
    )
    async with gateway_from(gateway_settings) as client:
        agent = await client("203.0.113.31")
        for _ in range(8):
            response = await agent.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
            assert response.status_code == 200


async def test_a_stolen_key_hammered_from_one_ip_keeps_working_from_another(gateway_settings, admin):
    created = await admin.post("/admin/partner-keys", json={"partner": "Mairie volée", "per_minute": 20})
    assert created.status_code == 201, created.text
    headers = {"X-Api-Key": created.json()["key"]}
    settings = gateway_settings.model_copy(update={"key_per_ip_per_minute": 10})
    async with gateway_from(settings) as client:
        script = await client("198.51.100.66")
        statuses = [(await script.get("/v1/demarches", headers=headers)).status_code for _ in range(40)]
        assert statuses[:10] == [200] * 10 and set(statuses[10:]) == {429}
        citizen = await client("192.0.2.10")
        answered = await citizen.get("/v1/demarches", headers=headers)
        assert answered.status_code == 200, answered.text
        # The script's refused calls did not use the key's quota: 20 − 10 − 1 left for the partner.
        assert answered.headers["ratelimit-remaining"] == "9"


# --- OpenID Connect ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def provider(thread_server) -> Iterator[OidcStandIn]:
    """A local OpenID provider that counts how often its JWKS is fetched."""
    provider = OidcStandIn(CLIENT_ID, kid="abuse-1", sub="u-7")
    server = thread_server(provider.app)
    provider.url = server.url
    server.start()
    yield provider
    server.stop()


@pytest.fixture
async def oidc(gateway_settings, provider):
    settings = gateway_settings.model_copy(
        update={"auth_provider": "oidc", "oidc_issuer": provider.url, "oidc_client_id": CLIENT_ID}
    )
    async with gateway_from(settings) as client:
        front = await client("192.0.2.20")

        async def exchange(token: str, **extra: str) -> httpx.Response:
            return await front.post("/v1/auth/oidc/token", json={"id_token": token} | extra)

        yield exchange


async def test_a_deactivated_agent_is_refused_on_every_path(oidc, provider, cli):
    email = f"agent-gone-{uuid.uuid4().hex[:8]}@fs-test.example"
    await asyncio.to_thread(cli, "create-agent", "--email", email, "--sites", str(SITE), "--no-password")
    by_role = provider.id_token(email=email, email_verified=True, fs_role="agent", fs_sites=[SITE])
    by_email = provider.id_token(email=email, email_verified=True)
    assert (await oidc(by_role)).status_code == 200
    assert (await oidc(by_email)).status_code == 200
    await asyncio.to_thread(cli, "deactivate-agent", email)
    for token in (by_role, by_email):
        refused = await oidc(token)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"


async def test_nonce_and_azp_are_checked(oidc, provider):
    with_nonce = provider.id_token(fs_role="agent", fs_sites=[SITE], nonce="n-0123456789")
    assert (await oidc(with_nonce, nonce="n-0123456789")).status_code == 200
    assert (await oidc(with_nonce, nonce="n-other")).status_code == 401
    without = provider.id_token(fs_role="agent", fs_sites=[SITE])
    assert (await oidc(without, nonce="n-0123456789")).status_code == 401
    assert (await oidc(without)).status_code == 200  # no nonce sent: none to check
    other_party = provider.id_token(fs_role="agent", fs_sites=[SITE], azp="another-app")
    assert (await oidc(other_party)).status_code == 401
    shared = provider.id_token(fs_role="agent", fs_sites=[SITE], aud=[CLIENT_ID, "another-app"])
    assert (await oidc(shared)).status_code == 401
    ours = provider.id_token(fs_role="agent", fs_sites=[SITE], aud=[CLIENT_ID, "x"], azp=CLIENT_ID)
    assert (await oidc(ours)).status_code == 200


async def test_unknown_kids_do_not_hammer_the_provider(oidc, provider):
    assert (await oidc(provider.id_token(fs_role="agent", fs_sites=[SITE]))).status_code == 200
    before = provider.jwks_fetches
    for i in range(20):
        made_up = provider.id_token(kid=f"made-up-{i}", fs_role="agent", fs_sites=[SITE])
        assert (await oidc(made_up)).status_code == 401
    assert provider.jwks_fetches - before <= 1  # at most one look-up a minute for keys it does not know
