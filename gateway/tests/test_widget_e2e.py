"""The widget in a real browser: Debian's headless Chromium, driven by Playwright, loads the demo page from
a real gateway in front of the real locator and booking services (conftest.py), searches, books.

Screenshots are kept under ``test-artifacts/widget/`` (look at them: they are the visual check). The
accessibility check runs axe-core (shipped in the ``axe-playwright-python`` package) on each screen.
"""

import re
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Response
from fastapi.responses import HTMLResponse
from playwright.async_api import Browser, Page, Request, expect

from fs_testkit.servers import http_server
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway

from .browser import WAIT_MS, axe_violations

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "widget"
ADMIN_TOKEN = "widget-e2e-" + "a" * 32
GUERET = {"latitude": 46.1717, "longitude": 1.8718}
BLUE = "rgb(0, 0, 145)"  # --fs-blue
# The label (or text) of what has the focus inside the widget's Shadow DOM.
FOCUSED_IN_WIDGET = """() => {
    const el = document.querySelector('france-services-locator').shadowRoot.activeElement;
    return el ? (el.labels && el.labels.length ? el.labels[0].textContent : el.textContent) : null;
}"""


@pytest.fixture(scope="module")
async def widget_gateway(gateway_settings: GatewaySettings) -> AsyncIterator[str]:
    """A gateway of its own (the demo page's settings differ), in front of the shared services."""
    # Its own Redis key prefix (under the run's, cleaned with it): the browser's anonymous calls must not
    # use up the per-IP quota that the other gateway tests measure.
    settings = gateway_settings.model_copy(
        update={
            "admin_token": ADMIN_TOKEN,
            "redis_prefix": gateway_settings.redis_prefix + "widget:",
            "anonymous_per_minute": 1000,
            "widget_demo_api_key": "",
            "widget_demo_demarche": "",
            "widget_map_tiles_url": "",
        }
    )
    app = create_gateway(settings)
    async with http_server(app) as url:
        yield url


async def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


async def search_postcode(page: Page, base: str, postcode: str) -> None:
    await page.goto(f"{base}/demo")
    widget = page.locator("france-services-locator")
    await widget.get_by_label("Code postal ou commune").fill(postcode)
    await widget.get_by_role("button", name="Rechercher").click()


async def test_search_by_postcode_shows_the_real_nearest_sites(page: Page, widget_gateway: str):
    async with httpx.AsyncClient(base_url=widget_gateway) as api:
        expected = (await api.get("/v1/sites/nearest", params={"q": "23000", "limit": 5})).json()
    names = [r["site"]["name"] for r in expected["results"]]
    assert len(names) == 5
    assert "Guéret" in expected["origin"]["label"]
    assert {r["site"]["address"]["departement"] for r in expected["results"]} == {"23"}

    await search_postcode(page, widget_gateway, "23000")
    widget = page.locator("france-services-locator")
    await expect(widget.get_by_role("status")).to_have_text(
        f"5 lieux trouvés près de {expected['origin']['label']}.", timeout=WAIT_MS
    )
    cards = widget.locator(".fs-card")
    await expect(cards).to_have_count(5)
    for index, name in enumerate(names):
        card = cards.nth(index)
        await expect(card.get_by_role("heading", level=4)).to_have_text(f"{index + 1}. {name}")
        await expect(card).to_contain_text("en voiture")
        await expect(card).to_contain_text(
            "Aujourd'hui" if expected["results"][index]["site"]["hours_known"] else "Horaires non communiqués"
        )
    first = expected["results"][0]
    if first["site"]["open_now"] is not None:
        await expect(cards.first.locator(".fs-badge")).to_have_text(
            "Ouvert" if first["site"]["open_now"] else "Fermé"
        )
    await expect(widget.locator(".fs-map")).to_have_count(0)  # no map unless the partner turns it on
    await shoot(page, "01-results-desktop")
    assert await axe_violations(page) == []


async def test_book_a_slot_end_to_end(page: Page, widget_gateway: str):
    async with httpx.AsyncClient(base_url=widget_gateway) as api:
        demarches = (await api.get("/v1/demarches")).json()
        demarche = next(d for d in demarches if "on_site" in d["modalities"])
    widget = page.locator("france-services-locator")
    await page.goto(f"{widget_gateway}/demo")
    await widget.get_by_label("Démarche", exact=True).select_option(demarche["code"])
    await widget.get_by_label("Code postal ou commune").fill("23000")
    await widget.get_by_role("button", name="Rechercher").click()
    await expect(widget.get_by_role("status")).to_contain_text("trouvés près de", timeout=WAIT_MS)
    card = widget.locator(".fs-card").filter(has=page.get_by_role("button", name="Prendre rendez-vous")).first
    await expect(card.locator(".fs-slot")).to_contain_text("Prochain rendez-vous : ", timeout=WAIT_MS)
    await shoot(page, "10-results-with-next-slot")
    site_name = (await card.get_by_role("heading", level=4).inner_text()).split(". ", 1)[1]

    # Step 1: démarche (kept from the search) and slot; the focus moves to the step's heading.
    await card.get_by_role("button", name="Prendre rendez-vous").click()
    assert await page.evaluate(FOCUSED_IN_WIDGET) == "Choisir la démarche et le créneau"
    await expect(widget.get_by_label("Démarche", exact=True)).to_have_value(demarche["code"])
    first_slot = widget.locator(".fs-slot-choice").first
    await expect(first_slot).to_be_visible(timeout=WAIT_MS)
    slot_time = await first_slot.inner_text()
    await first_slot.locator("label").click()
    await shoot(page, "11-step-slot")
    assert await axe_violations(page) == []
    await widget.get_by_role("button", name="Continuer").click()

    # Step 2: contact details, checked before sending; errors are tied to their fields.
    assert await page.evaluate(FOCUSED_IN_WIDGET) == "Vos coordonnées"
    await widget.get_by_role("button", name="Continuer").click()
    await expect(widget.get_by_role("alert")).to_have_text("Le formulaire contient 3 erreurs.")
    name_field = widget.get_by_label("Prénom et nom")
    await expect(name_field).to_have_attribute("aria-invalid", "true")
    await expect(name_field).to_be_focused()
    await expect(name_field).to_have_accessible_description(re.compile("Indiquez votre prénom et votre nom"))
    await shoot(page, "12-step-contact-errors")
    assert await axe_violations(page) == []
    await name_field.fill("Camille Martin")
    await widget.get_by_label("Adresse e-mail (facultatif)").fill("camille.martin@example.org")
    await widget.get_by_role("checkbox").check()
    await widget.get_by_role("button", name="Continuer").click()

    # Step 3: the summary, then the confirmation with the link to manage the booking.
    assert await page.evaluate(FOCUSED_IN_WIDGET) == "Vérifier et confirmer"
    recap = widget.locator(".fs-recap")
    for text in (site_name, demarche["label"], slot_time, "Camille Martin", "camille.martin@example.org"):
        await expect(recap).to_contain_text(text)
    await shoot(page, "13-step-confirm")
    await widget.get_by_role("button", name="Confirmer le rendez-vous").click()
    await expect(widget.get_by_role("heading", name="Rendez-vous confirmé")).to_be_focused(timeout=WAIT_MS)
    manage = widget.get_by_role("link", name="Gérer mon rendez-vous (modifier ou annuler)")
    href = await manage.get_attribute("href")
    assert href is not None
    await shoot(page, "14-confirmed")
    assert await axe_violations(page) == []

    # The link opens the booking page of this gateway, the token after '#'; the booking really exists.
    page_url, token = href.split("#", 1)
    assert page_url == f"{widget_gateway}/rendez-vous"
    async with httpx.AsyncClient(base_url=widget_gateway) as api:
        booking = (await api.post("/v1/bookings/manage", json={"token": token})).json()
    assert booking["status"] == "confirmed"
    assert booking["person"]["name"] == "Camille Martin"
    assert [d["code"] for d in booking["demarches"]] == [demarche["code"]]
    assert booking["place"]["name"] == site_name
    await expect(widget.locator(".fs-success-box")).to_contain_text(booking["id"][:8].upper())


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain-colour PNG: the map tiles of the local tile server."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_partner_page_on_its_own_origin_with_its_key(browser: Browser, widget_gateway: str):
    """Two pasted lines on a partner's site (the ``div`` form), its key sent on every call, CORS granted;
    this partner also turns the map on, with tiles from a (local) tile server."""
    html: dict[str, str] = {}
    tiles_served: list[str] = []
    partner = FastAPI()
    tile = png(256, 256, (200, 222, 200))

    @partner.get("/", response_class=HTMLResponse)
    async def home() -> str:
        return html["page"]

    @partner.get("/tiles/{z}/{x}/{y}.png")
    async def tiles(z: int, x: int, y: int) -> Response:
        tiles_served.append(f"{z}/{x}/{y}")
        return Response(tile, media_type="image/png")

    async with http_server(partner) as partner_url, httpx.AsyncClient(base_url=widget_gateway) as api:
        created = await api.post(
            "/admin/partner-keys",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            json={"partner": "CAF de la Creuse (test)", "origins": [partner_url]},
        )
        assert created.status_code == 201, created.text
        key = created.json()["key"]
        html["page"] = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
            <title>CAF de la Creuse — nous rencontrer</title>
            <script src="{widget_gateway}/widget.js" defer></script></head>
            <body><main><h1>Nous rencontrer</h1>
            <div data-france-services-locator data-api-key="{key}" data-departement="23" data-limit="3"
                 data-map-tiles="{partner_url}/tiles/{{z}}/{{x}}/{{y}}.png"
                 data-map-attribution="© Tuiles de test">
            </div>
            </main></body></html>"""
        context = await browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
        page = await context.new_page()
        calls: list[Request] = []
        page.on("request", lambda r: calls.append(r) if "/v1/" in r.url else None)
        await page.goto(partner_url)
        widget = page.locator("france-services-locator")
        await widget.get_by_label("Code postal ou commune").fill("23000")
        await widget.get_by_role("button", name="Rechercher").click()
        await expect(widget.get_by_role("status")).to_have_text(
            re.compile(r"^3 lieux trouvés près de Guéret"), timeout=WAIT_MS
        )
        for index in range(3):
            await expect(widget.locator(".fs-card").nth(index)).to_contain_text(re.compile(r"\b23\d{3} "))
        card_map = widget.get_by_role("img", name=re.compile("^Carte des lieux trouvés"))
        await expect(card_map).to_be_visible()
        await expect(card_map.locator(".fs-marker")).to_have_count(4)  # three places and the search origin
        assert tiles_served and all(t.startswith(tiles_served[0].split("/")[0] + "/") for t in tiles_served)
        assert await card_map.locator("img").evaluate_all("imgs => imgs.every(i => i.naturalWidth === 256)")
        await shoot(page, "04-partner-page")
        assert calls
        assert {await r.header_value("x-api-key") for r in calls} == {key}
        assert all(r.url.startswith(widget_gateway) for r in calls)
        await context.close()


async def test_problem_detail_is_shown_to_the_citizen(page: Page, widget_gateway: str):
    async with httpx.AsyncClient(base_url=widget_gateway) as api:
        answer = await api.get("/v1/sites/nearest", params={"q": "Zzyzx-sur-Nulle-Part", "limit": 5})
    assert answer.status_code in (404, 422)
    assert answer.headers["content-type"] == "application/problem+json"

    await search_postcode(page, widget_gateway, "Zzyzx-sur-Nulle-Part")
    alert = page.locator("france-services-locator").get_by_role("alert")
    await expect(alert).to_have_text(answer.json()["detail"], timeout=WAIT_MS)
    await shoot(page, "02-error")


async def test_keyboard_only_search_and_focus_order(page: Page, widget_gateway: str):
    await page.goto(f"{widget_gateway}/demo")
    order: list[str] = []
    for _ in range(40):
        await page.keyboard.press("Tab")
        name = await page.evaluate(FOCUSED_IN_WIDGET)
        if name is not None:
            order.append(name)
        if name == "Autour de moi":
            break
    assert order[0] == "Code postal ou commune"
    assert order[-2:] == ["Rechercher", "Autour de moi"]
    assert set(order) <= {"Code postal ou commune", "Démarche", "Rechercher", "Autour de moi"}

    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Shift+Tab")
    if await page.evaluate(FOCUSED_IN_WIDGET) == "Démarche":
        await page.keyboard.press("Shift+Tab")
    assert await page.evaluate(FOCUSED_IN_WIDGET) == "Code postal ou commune"
    await page.keyboard.type("Guéret")
    await page.keyboard.press("Enter")
    widget = page.locator("france-services-locator")
    await expect(widget.get_by_role("status")).to_contain_text("trouvés près de Guéret", timeout=WAIT_MS)
    outline = await widget.get_by_label("Code postal ou commune").evaluate(
        "el => getComputedStyle(el).outlineStyle"
    )
    assert outline == "solid"  # the focus is visible


async def test_styles_do_not_leak_either_way(page: Page, widget_gateway: str):
    await page.goto(f"{widget_gateway}/demo")
    widget = page.locator("france-services-locator")
    search = widget.get_by_role("button", name="Rechercher")
    await expect(search).to_be_visible(timeout=WAIT_MS)
    style = await search.evaluate(
        "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.fontFamily, s.borderStyle]; }"
    )
    assert style[0] == BLUE  # the page paints its buttons pink with a dashed border
    assert "Comic Sans" not in style[1] and "Georgia" not in style[1]
    assert style[2] == "solid"
    host_button = page.get_by_role("button", name="Bouton de la mairie")
    assert await host_button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(228, 0, 124)"
    host_heading = page.get_by_role("heading", name="Intégrer ce module sur votre site")
    assert await host_heading.evaluate("el => getComputedStyle(el).textTransform") == "uppercase"


async def test_phone_screen_around_me(browser: Browser, widget_gateway: str):
    context = await browser.new_context(
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        geolocation=GUERET,
        permissions=["geolocation"],
    )
    page = await context.new_page()
    await page.goto(f"{widget_gateway}/demo")
    widget = page.locator("france-services-locator")
    await widget.get_by_role("button", name="Autour de moi").tap()
    await expect(widget.get_by_role("status")).to_have_text(
        "5 lieux trouvés autour de vous.", timeout=WAIT_MS
    )
    await expect(widget.locator(".fs-card")).to_have_count(5)
    await expect(widget.locator(".fs-card").first).to_contain_text(re.compile(r"\b23\d{3} "))
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    box = await widget.bounding_box()
    assert box is not None and box["width"] <= 375
    await shoot(page, "03-results-phone")
    assert await axe_violations(page) == []

    # The slot step fits the phone screen too.
    await widget.get_by_label("Démarche", exact=True).select_option(index=1)
    book = widget.get_by_role("button", name="Prendre rendez-vous").first
    await book.tap(timeout=WAIT_MS)
    await expect(widget.locator(".fs-slot-choice").first).to_be_visible(timeout=WAIT_MS)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await shoot(page, "05-slots-phone")
    assert await axe_violations(page) == []
    await context.close()
