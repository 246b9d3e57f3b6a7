"""Signing in to the agents' console through an OpenID Connect provider, in headless Chromium.

The provider is a real local HTTP server speaking the protocol the page uses (implicit flow,
``response_type=id_token``): a discovery document, an authorization endpoint that checks the client and
its redirect address and shows a sign-in form, then sends the browser back with an ID token signed by its
RSA key (PyJWT), and the JWKS the gateway verifies that signature with. Nothing of the gateway is
patched. The same provider, made to misbehave, sends a token with another nonce or for another
application: the page refuses it and says why, in French.
"""

import asyncio
import dataclasses
import datetime as dt
import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from playwright.async_api import Page, expect

from fs_testkit.servers import free_port
from fs_testkit.standins import OidcStandIn
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway

from .browser import WAIT_MS
from .test_agents_page_e2e import step
from .test_manage_page_e2e import book, bookable

CLIENT_ID = "console-des-agents"
KEY_ID = "stand-in-1"


@dataclasses.dataclass
class Provider(OidcStandIn):
    """The kit's provider with an authorization endpoint (``/authorize``), as the page's sign-in needs it,
    and how it behaves: ``honest``, or a hostile ``mode``."""

    client_id: str = CLIENT_ID
    kid: str = KEY_ID
    redirect_uri: str = ""
    mode: str = "honest"  # honest | wrong_nonce | other_audience
    asked: list[dict[str, str]] = dataclasses.field(default_factory=list)

    def discovery_document(self) -> dict[str, Any]:
        return super().discovery_document() | {
            "authorization_endpoint": f"{self.url}/authorize",
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def answer_for(self, email: str, nonce: str) -> str:
        claims: dict[str, Any] = {
            "sub": f"agent-{email}",
            "email": email,
            "email_verified": True,
            "nonce": nonce,
        }
        if self.mode == "wrong_nonce":
            claims["nonce"] = "le-nonce-d-une-autre-connexion"
        elif self.mode == "other_audience":
            claims["aud"] = "une-autre-application"
        return self.id_token(**claims)

    def app(self) -> FastAPI:
        app = super().app()

        def refused(params: dict[str, str]) -> str | None:
            if params.get("client_id") != CLIENT_ID or params.get("redirect_uri") != self.redirect_uri:
                return "Application inconnue ou adresse de retour non enregistrée."
            if params.get("response_type") != "id_token" or "openid" not in params.get("scope", "").split():
                return "Demande non prise en charge."
            if not params.get("nonce") or not params.get("state"):
                return "Nonce et state sont obligatoires."
            return None

        @app.get("/authorize")
        async def authorize(request: Request) -> HTMLResponse:
            params = dict(request.query_params)
            self.asked.append(params)
            if reason := refused(params):
                return HTMLResponse(f"<p>{html.escape(reason)}</p>", status_code=400)
            hidden = "".join(
                f'<input type="hidden" name="{k}" value="{html.escape(v, quote=True)}">'
                for k, v in params.items()
            )
            return HTMLResponse(
                '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Fournisseur d\'identité'
                "</title></head><body><main><h1>Fournisseur d'identité (test)</h1>"
                f'<form method="post" action="/authorize">{hidden}'
                '<label for="email">Adresse e-mail</label> <input id="email" name="email" type="email">'
                '<button type="submit">Continuer</button></form></main></body></html>'
            )

        @app.post("/authorize")
        async def sign_in(request: Request) -> Any:
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            if reason := refused(form):
                return JSONResponse({"error": reason}, status_code=400)
            answer = {"id_token": self.answer_for(form["email"], form["nonce"]), "state": form["state"]}
            return RedirectResponse(f"{form['redirect_uri']}#{urlencode(answer)}", status_code=303)

        return app


@pytest.fixture(scope="module")
def provider(thread_server) -> Iterator[Provider]:
    stand_in = Provider()
    server = thread_server(stand_in.app)
    stand_in.url = server.url
    server.start()
    yield stand_in
    server.stop()


@pytest.fixture(scope="module")
def oidc_base(
    gateway_settings: GatewaySettings, gateway_server, provider: Provider, thread_server
) -> Iterator[str]:
    """A gateway whose agents sign in at the provider (same signing key as the session's gateway, whose
    JWKS the services verify agent tokens with)."""
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    settings = gateway_settings.model_copy(
        update={
            "redis_prefix": gateway_settings.redis_prefix + "agents-oidc:",
            "auth_provider": "oidc",
            "oidc_issuer": provider.url,
            "oidc_client_id": CLIENT_ID,
            "public_url": public_url,
        }
    )
    provider.redirect_uri = f"{public_url}/agents"
    server = thread_server(lambda: create_gateway(settings), port=port)
    server.start()
    yield public_url
    server.stop()


async def sign_in_at_the_provider(page: Page, provider: Provider, email: str) -> None:
    await expect(page.get_by_role("heading", name="Connexion des agents")).to_be_focused(timeout=WAIT_MS)
    await expect(page.get_by_label("Mot de passe")).to_be_hidden()  # no password with a provider
    await page.get_by_role(
        "button", name="Se connecter avec le fournisseur d'identité de mon organisation"
    ).click()
    await expect(page.get_by_role("heading", name="Fournisseur d'identité (test)")).to_be_visible(
        timeout=WAIT_MS
    )
    asked = provider.asked[-1]
    assert asked["redirect_uri"] == provider.redirect_uri and asked["client_id"] == CLIENT_ID
    assert len(asked["nonce"]) >= 32 and len(asked["state"]) >= 32 and asked["nonce"] != asked["state"]
    await page.get_by_label("Adresse e-mail").fill(email)
    await page.get_by_role("button", name="Continuer").click()


async def test_an_agent_signs_in_at_the_provider_and_a_forged_answer_is_refused(
    page: Page, oidc_base: str, provider: Provider, cli
):
    async with httpx.AsyncClient(base_url=oidc_base, timeout=15) as api:
        demarche, site, slots = await bookable(api)
        online = await book(api, site["id"], demarche["code"], slots[0]["starts_at"], "Camille Martin")
    day = online["starts_at"][:10]
    email = f"agent-oidc-{dt.datetime.now():%H%M%S%f}@fs-gueret.fr"
    await asyncio.to_thread(
        cli, "create-agent", "--email", email, "--sites", str(site["id"]), "--no-password"
    )

    # Honest provider: back on the console with the agent's site, the ID token gone from the address.
    await page.goto(f"{oidc_base}/agents")
    await step(page, "20-oidc-connexion")
    await sign_in_at_the_provider(page, provider, email)
    await expect(page.get_by_role("heading", name=f"France Services n° {site['id']}")).to_be_focused(
        timeout=WAIT_MS
    )
    assert page.url == f"{oidc_base}/agents"
    assert await page.evaluate("() => sessionStorage.getItem('fs-oidc')") is None
    await page.get_by_label("Jour affiché").fill(day)
    await expect(page.locator("#fs-day-table tbody")).to_contain_text("Camille Martin", timeout=WAIT_MS)
    await step(page, "21-oidc-journee")
    await page.get_by_role("button", name="Se déconnecter").click()

    # Hostile answers: the page shows the gateway's French reason and opens nothing.
    for mode, reason, shot in (
        ("wrong_nonce", "nonce différent de celui de la connexion", "22-oidc-nonce-refuse"),
        ("other_audience", "Jeton d'identité invalide.", "23-oidc-autre-application-refusee"),
    ):
        provider.mode = mode
        try:
            await sign_in_at_the_provider(page, provider, email)
            await expect(page.locator("#fs-signin-reason")).to_contain_text(reason, timeout=WAIT_MS)
        finally:
            provider.mode = "honest"
        heading = page.get_by_role("heading", name="Connexion des agents")
        await expect(heading).to_be_focused()
        await expect(heading).to_have_accessible_description(re.compile(re.escape(reason)))  # read out
        await expect(page.locator("#fs-console")).to_be_hidden()
        assert page.url == f"{oidc_base}/agents"
        await step(page, shot)
