"""The agents' console (``/agents``) as the gateway serves it: locked-down HTML, versioned assets, the
sign-in provider named by the settings (the OpenID Connect address escaped)."""

import re

from fs_testkit.servers import serve_in_process
from gateway.config import GatewaySettings
from gateway.main import create_app

UNREACHABLE = "http://127.0.0.1:9"


def settings(**extra) -> GatewaySettings:
    return GatewaySettings(
        locator_url=UNREACHABLE, booking_url=UNREACHABLE, notify_url=UNREACHABLE, log_json=False, **extra
    )


async def test_the_console_is_french_html_that_runs_only_its_own_files():
    async with serve_in_process(create_app(settings())) as client:
        response = await client.get("/agents")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "connect-src 'self'" in csp and "unsafe" not in csp
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-robots-tag"] == "noindex, nofollow"
        page = response.text
        assert '<html lang="fr">' in page and 'data-auth="builtin"' in page
        assert "<script>" not in page and "style=" not in page  # nothing inline: the CSP would refuse it
        urls = re.findall(r'(?:src|href)="(/[^"]+\?v=[0-9a-f]{12})"', page)
        assert {u.split("?")[0] for u in urls} == {"/agents.js", "/agents.css"}
        for url in urls:
            asset = await client.get(url)
            assert asset.status_code == 200 and asset.headers["etag"].strip('"').startswith(
                url.split("?v=")[1]
            )
        script = (await client.get("/agents.js")).text
        assert script.index("window.FranceServicesKit = Object.freeze") < script.index("agents' console")
        assert "localStorage" not in script  # the token lives in the page's memory only
        assert "@media print" in (await client.get("/agents.css")).text


async def test_with_openid_connect_the_console_sends_agents_to_the_provider():
    oidc = settings(
        auth_provider="oidc",
        oidc_issuer="https://idp.example.org/realms/fs",
        oidc_client_id='console"><script>',
    )
    async with serve_in_process(create_app(oidc)) as client:
        page = (await client.get("/agents")).text
    assert 'data-auth="oidc"' in page
    assert 'data-oidc-authorize="https://idp.example.org/realms/fs/authorize"' in page
    assert 'data-oidc-client="console&quot;&gt;&lt;script&gt;"' in page


async def test_the_console_knows_whether_notify_sends_sms():
    """What it tells the agent after a change for a person with only a phone: told by SMS, or to call them."""
    for sms, attribute in ((False, 'data-sms="false"'), (True, 'data-sms="true"')):
        async with serve_in_process(create_app(settings(sms_notifications=sms))) as client:
            assert attribute in (await client.get("/agents")).text
    async with serve_in_process(create_app(settings())) as client:
        script = (await client.get("/agents.js")).text
    assert "Pas de SMS configuré : prévenez la personne vous-même" in script
