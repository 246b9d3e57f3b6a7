"""The citizen's booking page (``/rendez-vous#<token>``, the link of the confirmation e-mail) in headless
Chromium, served by a real gateway in front of the real locator and booking services (conftest.py).

Bookings are made through the API, as the widget would; the page is then opened with their token. Every
change is checked again through the API. Screenshots go to ``test-artifacts/manage/`` (look at them).
"""

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from fs_testkit.servers import http_server
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway

from .browser import WAIT_MS, axe_violations, french_page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "manage"
INVALID_LINK = "Ce lien de gestion n'est pas (ou plus) valide : utilisez le dernier lien reçu."
FOCUSED_HEADING = """() => {
    const el = document.getElementById('fs-rendez-vous').shadowRoot.activeElement;
    return el && el.tagName === 'H2' ? el.textContent : null;
}"""


@pytest.fixture(scope="module")
async def base(gateway_settings: GatewaySettings) -> AsyncIterator[str]:
    """A gateway of its own: own Redis prefix, so the browser uses no quota that other tests measure."""
    settings = gateway_settings.model_copy(
        update={"redis_prefix": gateway_settings.redis_prefix + "manage:", "anonymous_per_minute": 1000}
    )
    async with http_server(create_gateway(settings)) as url:
        yield url


@pytest.fixture
async def api(base: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base, timeout=15) as client:
        yield client


async def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def clock(moment: dt.datetime) -> str:
    """The page's way of writing a time: « 9 h », « 14 h 30 »."""
    return f"{moment.hour} h" if moment.minute == 0 else f"{moment.hour} h {moment.minute:02d}"


async def bookable(api: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """An on-site démarche, a site near Guéret and its free slots from three days on (so a booking there can
    still be moved and cancelled online)."""
    demarches = (await api.get("/v1/demarches")).json()
    demarche = next(d for d in demarches if "on_site" in d["modalities"])
    sites = (await api.get("/v1/sites/nearest", params={"q": "23000", "limit": 10})).json()["results"]
    start = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    for result in sites:
        answer = await api.get(
            f"/v1/sites/{result['site']['id']}/slots", params={"demarche": demarche["code"], "from": start}
        )
        if answer.status_code == 200 and len(answer.json()["slots"]) > 10:
            return demarche, result["site"], answer.json()["slots"]
    raise AssertionError("no site near Guéret has free slots")


async def book(
    api: httpx.AsyncClient, site_id: int, demarche: str, starts_at: str, name: str
) -> dict[str, Any]:
    body = {
        "site_id": site_id,
        "demarches": [demarche],
        "starts_at": starts_at,
        "person": {"name": name, "email": "camille.martin@example.org", "consent_contact": True},
    }
    created = await api.post("/v1/bookings", json=body)
    assert created.status_code == 201, created.text
    return created.json()


def shadow(page: Page) -> Locator:
    return page.locator("#fs-rendez-vous")


async def test_view_reschedule_then_cancel(page: Page, api: httpx.AsyncClient, base: str):
    demarche, site, slots = await bookable(api)
    created = await book(api, site["id"], demarche["code"], slots[0]["starts_at"], "Camille Martin")
    token = created["manage_token"]
    assert created["manage_url"].endswith(f"/rendez-vous#{token}")  # what the e-mail links to

    # The booking as the person sees it: date and time of the place, place, démarche, documents, status.
    await page.goto(f"{base}/rendez-vous#{token}")
    view = shadow(page)
    await expect(view.get_by_role("heading", name="Votre rendez-vous")).to_be_visible(timeout=WAIT_MS)
    await expect(view.get_by_role("status")).to_have_text("Votre rendez-vous est affiché.")
    starts = dt.datetime.fromisoformat(created["starts_at"])
    ends = dt.datetime.fromisoformat(created["ends_at"])
    recap = view.locator(".fs-recap")
    for text in (
        "Confirmé",
        f"de {clock(starts)} à {clock(ends)}",
        str(starts.year),
        created["place"]["name"],
        created["place"]["address"],
        demarche["label"],
        "Camille Martin",
        created["id"][:8].upper(),
    ):
        await expect(recap).to_contain_text(text)
    for document in created["demarches"][0]["documents"]:
        await expect(view.locator(".fs-documents")).to_contain_text(document)
    await expect(view).to_contain_text("Report possible en ligne jusqu'au")
    await expect(view).to_contain_text("Annulation possible en ligne jusqu'au")
    await shoot(page, "01-booking")
    assert await axe_violations(page) == []

    # Reschedule: the focus goes to each step's heading; the slots are those of the same place and démarche.
    await view.get_by_role("button", name="Reporter le rendez-vous").click()
    assert await page.evaluate(FOCUSED_HEADING) == "Choisir un nouveau créneau"
    choice = view.locator(".fs-slot-choice").last  # the latest offered: still cancellable online
    await expect(choice).to_be_visible(timeout=WAIT_MS)
    new_start = await choice.locator("input").get_attribute("value")
    assert new_start is not None and new_start != created["starts_at"]  # its own slot is not offered
    await view.get_by_role("button", name="Continuer").click()
    await expect(view.get_by_role("alert")).to_have_text("Choisissez un créneau.")  # nothing chosen yet
    await choice.locator("label").click()
    await shoot(page, "02-reschedule-slots")
    assert await axe_violations(page) == []
    await view.get_by_role("button", name="Continuer").click()
    assert await page.evaluate(FOCUSED_HEADING) == "Confirmer le report"
    await expect(view.locator(".fs-recap")).to_contain_text(clock(dt.datetime.fromisoformat(new_start)))
    await shoot(page, "03-reschedule-confirm")
    await view.get_by_role("button", name="Confirmer le report").click()

    # A new token: the page's address uses it, the person is told that the old link is dead.
    success = view.locator(".fs-success-box")
    await expect(success).to_contain_text("Votre rendez-vous est reporté au", timeout=WAIT_MS)
    await expect(success).to_contain_text("Le lien que vous avez utilisé ne fonctionne plus")
    assert await page.evaluate(FOCUSED_HEADING) == "Votre rendez-vous"
    new_token = page.url.split("#", 1)[1]
    assert new_token != token
    moved = (await api.post("/v1/bookings/manage", json={"token": new_token})).json()
    assert moved["id"] == created["id"] and moved["starts_at"] == new_start and moved["status"] == "confirmed"
    assert (await api.post("/v1/bookings/manage", json={"token": token})).status_code == 404
    await expect(view.locator(".fs-recap")).to_contain_text(clock(dt.datetime.fromisoformat(new_start)))
    await shoot(page, "04-rescheduled")
    assert await axe_violations(page) == []

    # Cancel, after a confirmation step that can be left without cancelling.
    await view.get_by_role("button", name="Annuler le rendez-vous").click()
    assert await page.evaluate(FOCUSED_HEADING) == "Annuler ce rendez-vous ?"
    await shoot(page, "05-cancel-confirm")
    assert await axe_violations(page) == []
    await view.get_by_role("button", name="Non, garder le rendez-vous").click()
    assert await page.evaluate(FOCUSED_HEADING) == "Votre rendez-vous"
    assert (await api.post("/v1/bookings/manage", json={"token": new_token})).json()["status"] == "confirmed"
    await view.get_by_role("button", name="Annuler le rendez-vous").click()
    await view.get_by_role("button", name="Oui, annuler le rendez-vous").click()
    await expect(view.locator(".fs-success-box")).to_have_text(
        "Votre rendez-vous est annulé. Un message de confirmation vous est envoyé.", timeout=WAIT_MS
    )
    await expect(view.locator(".fs-status")).to_have_text("Annulé")
    await expect(view.get_by_role("button")).to_have_count(0)  # nothing left to do online
    assert (await api.post("/v1/bookings/manage", json={"token": new_token})).json()["status"] == "cancelled"
    await shoot(page, "06-cancelled")
    assert await axe_violations(page) == []


async def test_the_apis_refusal_is_shown(page: Page, api: httpx.AsyncClient, base: str):
    demarche, site, slots = await bookable(api)
    created = await book(api, site["id"], demarche["code"], slots[1]["starts_at"], "Camille Martin")
    token = created["manage_token"]
    await page.goto(f"{base}/rendez-vous#{token}")
    view = shadow(page)
    await view.get_by_role("button", name="Annuler le rendez-vous").click(timeout=WAIT_MS)
    # Cancelled meanwhile (another tab): the API refuses; the page says why and shows the booking as it is.
    assert (await api.post("/v1/bookings/manage/cancel", json={"token": token})).status_code == 200
    await view.get_by_role("button", name="Oui, annuler le rendez-vous").click()
    await expect(view.get_by_role("alert")).to_have_text("Ce rendez-vous est déjà annulé.", timeout=WAIT_MS)
    await expect(view.locator(".fs-status")).to_have_text("Annulé")
    assert await page.evaluate(FOCUSED_HEADING) == "Votre rendez-vous"
    await shoot(page, "07-refused")
    assert await axe_violations(page) == []


async def test_slot_just_taken_offers_the_alternatives_on_a_phone(
    browser: Browser, api: httpx.AsyncClient, base: str
):
    demarche, site, slots = await bookable(api)
    created = await book(api, site["id"], demarche["code"], slots[-1]["starts_at"], "Dominique Petit")
    async with french_page(
        browser, viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    ) as page:
        await page.goto(f"{base}/rendez-vous#{created['manage_token']}")
        view = shadow(page)
        await view.get_by_role("button", name="Reporter le rendez-vous").tap(timeout=WAIT_MS)
        choice = view.locator(".fs-slot-choice").last  # the latest offered: still cancellable online
        await expect(choice).to_be_visible(timeout=WAIT_MS)
        wanted = await choice.locator("input").get_attribute("value")
        await choice.locator("label").tap()
        assert await page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
        await shoot(page, "10-phone-slots")
        await view.get_by_role("button", name="Continuer").tap()
        await expect(view.get_by_role("button", name="Confirmer le report")).to_be_visible()

        # Meanwhile other people take every place left in that slot.
        free = await api.get(f"/v1/sites/{site['id']}/slots", params={"demarche": demarche["code"]})
        remaining = next(s["remaining"] for s in free.json()["slots"] if s["starts_at"] == wanted)
        for n in range(remaining):
            await book(api, site["id"], demarche["code"], wanted, f"Autre Personne {n}")
        await view.get_by_role("button", name="Confirmer le report").tap()

        await expect(view.get_by_role("alert")).to_have_text(
            "Ce créneau vient d'être réservé. Voici les créneaux libres les plus proches.", timeout=WAIT_MS
        )
        assert await page.evaluate(FOCUSED_HEADING) == "Choisir un nouveau créneau"
        await expect(view.get_by_role("heading", name="Créneaux libres les plus proches")).to_be_visible()
        still = (await api.post("/v1/bookings/manage", json={"token": created["manage_token"]})).json()
        assert still["starts_at"] == created["starts_at"]  # the booking kept its place
        alternative = view.locator(".fs-slot-choice").first
        alternative_start = await alternative.locator("input").get_attribute("value")
        assert alternative_start != wanted
        assert await page.evaluate("document.documentElement.scrollWidth") <= 375
        await shoot(page, "11-phone-slot-taken")
        assert await axe_violations(page) == []
        await alternative.locator("label").tap()
        await view.get_by_role("button", name="Continuer").tap()
        await view.get_by_role("button", name="Confirmer le report").tap()
        await expect(view.locator(".fs-success-box")).to_contain_text("reporté", timeout=WAIT_MS)
        moved = (await api.post("/v1/bookings/manage", json={"token": page.url.split("#", 1)[1]})).json()
        assert moved["starts_at"] == alternative_start
        await shoot(page, "12-phone-rescheduled")


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        ("#" + "x" * 43, INVALID_LINK),  # unknown, or replaced by a reschedule
        ("", "Ce lien est incomplet."),  # the fragment was lost on the way
    ],
)
async def test_unknown_or_missing_token(page: Page, base: str, fragment: str, message: str):
    await page.goto(f"{base}/rendez-vous{fragment}")
    view = shadow(page)
    await expect(view.get_by_role("heading", name="Lien non valide")).to_be_visible(timeout=WAIT_MS)
    await expect(view.locator(".fs-notice")).to_contain_text(message)
    await expect(view.get_by_role("button")).to_have_count(0)
    await shoot(page, "20-invalid-link" if fragment else "21-missing-token")
    assert await axe_violations(page) == []


FOCUSED = """() => {
    const el = document.getElementById('fs-rendez-vous').shadowRoot.activeElement;
    return el ? (el.labels && el.labels.length ? el.labels[0].textContent : el.textContent) : null;
}"""


async def test_keyboard_only_reschedule(page: Page, api: httpx.AsyncClient, base: str):
    demarche, site, slots = await bookable(api)
    created = await book(api, site["id"], demarche["code"], slots[2]["starts_at"], "Camille Martin")
    await page.goto(f"{base}/rendez-vous#{created['manage_token']}")
    view = shadow(page)
    await expect(view.get_by_role("button", name="Reporter le rendez-vous")).to_be_visible(timeout=WAIT_MS)
    for _ in range(10):
        await page.keyboard.press("Tab")
        if await page.evaluate(FOCUSED) == "Reporter le rendez-vous":
            break
    assert await page.evaluate(FOCUSED) == "Reporter le rendez-vous"
    outline = await view.get_by_role("button", name="Reporter le rendez-vous").evaluate(
        "el => getComputedStyle(el).outlineStyle"
    )
    assert outline == "solid"  # the focus is visible
    await page.keyboard.press("Enter")
    assert await page.evaluate(FOCUSED_HEADING) == "Choisir un nouveau créneau"
    await expect(view.locator(".fs-slot-choice").first).to_be_visible(timeout=WAIT_MS)
    first = await view.locator(".fs-slot-choice input").first.get_attribute("value")
    second = await view.locator(".fs-slot-choice input").nth(1).get_attribute("value")
    await page.keyboard.press("Tab")  # into the radio group: the first slot
    await page.keyboard.press("ArrowRight")  # the arrow keys choose the next slot
    await page.keyboard.press("Tab")
    if await page.evaluate(FOCUSED) == "Plus de créneaux":
        await page.keyboard.press("Tab")
    assert await page.evaluate(FOCUSED) == "Continuer"
    await page.keyboard.press("Enter")
    assert await page.evaluate(FOCUSED_HEADING) == "Confirmer le report"
    await page.keyboard.press("Tab")
    assert await page.evaluate(FOCUSED) == "Confirmer le report"
    await page.keyboard.press("Enter")
    await expect(view.locator(".fs-success-box")).to_contain_text("reporté", timeout=WAIT_MS)
    moved = (await api.post("/v1/bookings/manage", json={"token": page.url.split("#", 1)[1]})).json()
    assert moved["starts_at"] == second and second != first
