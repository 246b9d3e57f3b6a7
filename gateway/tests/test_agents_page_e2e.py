"""The agents' console (``/agents``) in headless Chromium, served by a real gateway in front of the real
locator and booking services (conftest.py): one agent's day from sign-in to the CSV (a booking made for
someone, then moved for them, and the text message that tells them), then an agent of another site who
sees none of it, then a token that expires while a booking form is being filled.

Every step is checked with axe-core and photographed into ``test-artifacts/agents/`` (look at them).
The agent works with the keyboard only: focus moved by Tab or onto a control, keys to act.
"""

import asyncio
import contextlib
import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import redis.asyncio as redis
from playwright.async_api import Locator, Page, expect

from booking.events.relay import Relay
from fs_common.db import create_engine, make_sessionmaker
from fs_testkit.isolation import REDIS_BASE, TEST_EVENT_KEYS
from fs_testkit.isolation import test_database_url as database_url
from fs_testkit.servers import http_server
from fs_testkit.standins import HttpStandIn, smtp_server
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from notify.config import NotifySettings
from notify.workers import consumer, dispatcher

from .browser import WAIT_MS, axe_violations
from .test_manage_page_e2e import book, bookable

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "agents"
PASSWORD = "un-mot-de-passe-solide-42"
FOCUS_VISIBLE = """() => {
    const el = document.activeElement;
    const style = el && getComputedStyle(el);
    return Boolean(el && el !== document.body && style.outlineStyle !== 'none'
        && parseFloat(style.outlineWidth) >= 2);
}"""


@pytest.fixture(scope="module")
async def base(gateway_settings: GatewaySettings, gateway_server) -> AsyncIterator[str]:
    """A gateway of its own (own Redis prefix: the browser uses no quota that other tests measure). Same
    signing key as the session's gateway, whose JWKS the services verify agent tokens with."""
    settings = gateway_settings.model_copy(
        update={
            "redis_prefix": gateway_settings.redis_prefix + "agents:",
            "anonymous_per_minute": 1000,
            "sms_notifications": True,  # as notify sends SMS in ``messages_going_out``
        }
    )
    async with http_server(create_gateway(settings)) as url:
        yield url


@pytest.fixture(scope="module")
async def short_lived(gateway_settings: GatewaySettings, gateway_server) -> AsyncIterator[str]:
    """The same gateway whose agent tokens live 10 seconds (the page asks again 2 s before)."""
    settings = gateway_settings.model_copy(
        update={
            "redis_prefix": gateway_settings.redis_prefix + "agents-short:",
            "anonymous_per_minute": 1000,
            "agent_token_ttl_s": 10,
        }
    )
    async with http_server(create_gateway(settings)) as url:
        yield url


@pytest.fixture(scope="module")
async def without_sms(gateway_settings: GatewaySettings, gateway_server) -> AsyncIterator[str]:
    """The same gateway where notify has no SMS provider (the default, as under ``make run``)."""
    settings = gateway_settings.model_copy(
        update={"redis_prefix": gateway_settings.redis_prefix + "agents-nosms:", "anonymous_per_minute": 1000}
    )
    async with http_server(create_gateway(settings)) as url:
        yield url


async def step(page: Page, name: str) -> None:
    """Photograph the step and check it with axe-core (WCAG 2.1 A and AA)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    assert await axe_violations(page) == [], name


async def press(control: Locator, key: str = "Enter") -> None:
    await control.focus()
    await control.press(key)


async def type_into(control: Locator, text: str) -> None:
    await control.focus()
    await control.press("Control+a")
    await control.press_sequentially(text)


async def sign_in_with_tab(page: Page, email: str) -> None:
    """From the sign-in heading: Tab to the e-mail, type, Tab to the password, type, Enter."""
    await expect(page.get_by_role("heading", name="Connexion des agents")).to_be_focused(timeout=WAIT_MS)
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Adresse e-mail professionnelle")).to_be_focused()
    assert await page.evaluate(FOCUS_VISIBLE), "the focused e-mail field shows no focus"
    await page.keyboard.press("Control+a")
    await page.keyboard.type(email)
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")


@contextlib.asynccontextmanager
async def messages_going_out(gateway_settings: GatewaySettings) -> AsyncIterator[HttpStandIn]:
    """What ``make run`` runs behind the services: booking's outbox relay, notify's consumer and dispatcher,
    on the databases and events stream of the conftest's services, with a local SMS provider (yielded)
    and a local mail server."""
    sms = HttpStandIn()
    stream = gateway_settings.redis_prefix + "booking.events"  # the conftest's booking publishes there
    async with (
        http_server(sms.app()) as sms_url,
        smtp_server() as (_, smtp_port),
        contextlib.AsyncExitStack() as stack,
    ):
        engine = create_engine(database_url("gw_booking"))
        stack.push_async_callback(engine.dispose)
        client = redis.from_url(REDIS_BASE)
        stack.push_async_callback(client.aclose)
        settings = NotifySettings(
            database_url=database_url("gw_notify"),
            stream=stream,
            events_keys=TEST_EVENT_KEYS,
            sms_provider_url=f"{sms_url}/sms",
            sms_api_key="sms-test-key",
            smtp_port=smtp_port,
            log_json=False,
            log_level="WARNING",
        )
        stop = asyncio.Event()
        workers = [
            await stack.enter_async_context(consumer(settings)),
            await stack.enter_async_context(dispatcher(settings)),
            Relay(make_sessionmaker(engine), client, stream, interval_s=0.1),
        ]
        running = [asyncio.create_task(worker.run(stop)) for worker in workers]
        try:
            yield sms
        finally:
            stop.set()
            await asyncio.gather(*running)


async def text_message(sms: HttpStandIn, phone: str, containing: str) -> dict:
    """The SMS sent to ``phone`` whose text contains ``containing``, once it has gone out."""
    digits = re.sub(r"\D", "", phone)[1:]  # 06 12… and +33 6 12… alike
    async with asyncio.timeout(WAIT_MS / 1000):
        while True:
            for sent in sms.requests:
                body = json.loads(sent["body"])
                if re.sub(r"\D", "", body["to"]).endswith(digits) and containing in body["text"]:
                    return body
            sms.arrived.clear()
            await sms.arrived.wait()


async def agent_api(api: httpx.AsyncClient, email: str) -> dict[str, str]:
    answer = await api.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_an_agents_day_then_another_sites_agent_then_an_expired_token(
    page: Page, base: str, short_lived: str, cli, gateway_settings: GatewaySettings
):
    async with httpx.AsyncClient(base_url=base, timeout=15) as api:
        demarche, site, slots = await bookable(api)
        sites = (await api.get("/v1/sites/nearest", params={"q": "23000", "limit": 10})).json()["results"]
        other_site = next(r["site"] for r in sites if r["site"]["id"] != site["id"])
        stamp = dt.datetime.now().strftime("%H%M%S%f")
        mine, theirs = f"agent-{stamp}@fs-gueret.fr", f"autre-{stamp}@fs-ailleurs.fr"
        env = {"GATEWAY_AGENT_PASSWORD": PASSWORD}
        await asyncio.to_thread(cli, "create-agent", "--email", mine, "--sites", str(site["id"]), env=env)
        await asyncio.to_thread(
            cli, "create-agent", "--email", theirs, "--sites", str(other_site["id"]), env=env
        )
        online = await book(api, site["id"], demarche["code"], slots[0]["starts_at"], "Camille Martin")
        day = online["starts_at"][:10]
        headers = await agent_api(api, mine)

        # 1. Sign in with the keyboard alone.
        await page.goto(f"{base}/agents")
        await step(page, "01-connexion")
        await sign_in_with_tab(page, mine)
        await expect(page.get_by_role("heading", name=f"France Services n° {site['id']}")).to_be_focused(
            timeout=WAIT_MS
        )

        # 2. The day with the online booking.
        await page.get_by_label("Jour affiché").fill(day)
        table = page.locator("#fs-day-table tbody")
        first_row = table.locator("tr").first
        await expect(first_row).to_contain_text("Camille Martin", timeout=WAIT_MS)
        await expect(first_row).to_contain_text("En ligne")
        await expect(first_row).to_contain_text(demarche["documents"][0] if demarche["documents"] else "")
        await step(page, "02-journee")

        # 3. Book for someone with only a name and a phone.
        await page.get_by_label("Démarche", exact=True).select_option(demarche["code"])
        await page.get_by_label("À partir du").fill(day)
        await press(page.get_by_role("button", name="Voir les créneaux libres"))
        first_slot = page.locator("#fs-book-slots input[type=radio]").first
        await expect(first_slot).to_be_focused(timeout=WAIT_MS)
        assert await page.evaluate(FOCUS_VISIBLE), "the focused slot shows no focus"
        await first_slot.press("Space")
        await type_into(page.get_by_label("Nom et prénom (obligatoire)"), "Jeanne Petit")
        await type_into(page.get_by_label("Téléphone (facultatif)"), "06 12 34 56 78")
        await step(page, "03-prise-de-rendez-vous")
        await press(page.get_by_role("button", name="Réserver ce créneau"))
        confirmation = page.locator(".fs-confirmation")
        await expect(confirmation.get_by_role("heading", name="Rendez-vous confirmé")).to_be_focused(
            timeout=WAIT_MS
        )
        await expect(confirmation).to_contain_text("Jeanne Petit")
        await expect(table).to_contain_text("Jeanne Petit")
        await expect(table.locator("tr", has_text="Jeanne Petit")).to_contain_text("Par un agent")
        await step(page, "04-rendez-vous-confirme")

        # 4. The first booking of the day is honoured.
        await expect(first_row).to_contain_text("Camille Martin")
        status = first_row.get_by_role("combobox")
        await status.focus()
        await status.select_option("honoured")
        await press(first_row.get_by_role("button", name="Appliquer"))
        await expect(table.locator("tr").first.locator(".fs-status")).to_have_text("Honoré", timeout=WAIT_MS)
        booked = (
            await api.get(f"/v1/agent/sites/{site['id']}/bookings", params={"date": day}, headers=headers)
        ).json()
        by_name = {b["person"]["name"]: b for b in booked}
        assert by_name["Camille Martin"]["status"] == "honoured"
        assert by_name["Jeanne Petit"]["person"] == {
            "name": "Jeanne Petit",
            "email": None,
            "phone": "06 12 34 56 78",
            "consent_contact": False,
        }
        assert by_name["Jeanne Petit"]["channel"] == "agent" and by_name["Jeanne Petit"]["created_by"]
        await step(page, "05-honore")

        # 4b. Jeanne Petit calls back: the agent moves her booking to another time of that day (no minimum
        # notice for agents), the day shows it there, and she gets the text message of any rescheduling.
        jeanne = table.locator("tr", has_text="Jeanne Petit")
        await press(jeanne.get_by_role("button", name="Reporter"))
        move = page.locator("#fs-move")
        await expect(
            move.get_by_role("heading", name="Reporter le rendez-vous de Jeanne Petit")
        ).to_be_focused()
        await expect(page.get_by_label("Nouveau créneau, premier jour cherché")).to_have_value(day)
        await press(move.get_by_role("button", name="Chercher les créneaux libres"))
        same_day = move.locator("fieldset").first.locator("input[type=radio]")
        await expect(same_day.first).to_be_focused(timeout=WAIT_MS)
        new_start = await same_day.last.get_attribute("value")
        assert new_start and new_start[:10] == day
        await press(same_day.last, "Space")
        await step(page, "05b-report-choix-du-creneau")
        await press(move.get_by_role("button", name="Confirmer le report"))
        done = page.locator("#fs-day-done")
        await expect(done).to_be_focused(timeout=WAIT_MS)
        await expect(done).to_contain_text("Rendez-vous de Jeanne Petit reporté au")
        await expect(done).to_contain_text("La personne en est prévenue, comme toujours, par SMS.")
        await expect(page.locator("#fs-live")).to_contain_text("Jeanne Petit reporté")
        await expect(jeanne.locator("td").first).to_have_text(re.compile(f"^{new_start[11:16]} – "))
        await expect(move).to_be_hidden()
        moved = next(
            b
            for b in (
                await api.get(f"/v1/agent/sites/{site['id']}/bookings", params={"date": day}, headers=headers)
            ).json()
            if b["id"] == by_name["Jeanne Petit"]["id"]
        )
        assert dt.datetime.fromisoformat(moved["starts_at"]) == dt.datetime.fromisoformat(new_start)
        local = dt.datetime.fromisoformat(new_start).astimezone(ZoneInfo("Europe/Paris"))
        clock = f"{local.hour} h" + (f" {local:%M}" if local.minute else "")
        await expect(confirmation).to_contain_text(f" à {clock}")  # the printable confirmation follows
        await step(page, "05c-report-fait")
        async with messages_going_out(gateway_settings) as sms:
            told = await text_message(
                sms, "06 12 34 56 78", f"RDV déplacé au {local:%d/%m} à {local.hour}h{local:%M}"
            )
        assert "France Services" in told["text"]

        # 5. A walk-in, seen in today's list.
        await page.get_by_label("Partenaire", exact=True).select_option("caf")
        await press(page.get_by_label("Réorienté"), "Space")
        await press(page.get_by_role("button", name="Enregistrer le passage"))
        await expect(page.locator("#fs-walkin-done")).to_have_text("Passage enregistré.", timeout=WAIT_MS)
        today = (
            await api.get(
                f"/v1/agent/sites/{site['id']}/visits",
                params={"date": dt.date.today().isoformat()},
                headers=headers,
            )
        ).json()
        assert [(v["partner"], v["outcome"]) for v in today][-1:] == [("caf", "redirected")]
        await page.get_by_label("Jour affiché").fill(dt.date.today().isoformat())
        await expect(table).to_contain_text("Sans rendez-vous", timeout=WAIT_MS)
        await step(page, "06-passage")
        await page.get_by_label("Jour affiché").fill(
            (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
        )
        await press(page.get_by_role("button", name="Jour suivant"))
        await expect(page.get_by_label("Jour affiché")).to_have_value(day)
        await expect(table).to_contain_text("Jeanne Petit", timeout=WAIT_MS)

        # 6. A closure of that day lists the bookings it hits before it is confirmed.
        await page.get_by_label("Date de l'exception").fill(day)
        await type_into(page.get_by_label("Motif (facultatif)"), "Formation de l'équipe")
        await press(page.get_by_role("button", name="Vérifier"))
        check = page.locator("#fs-exc-check")
        await expect(check.get_by_role("heading", name="Cette fermeture touche 2 rendez-vous")).to_be_focused(
            timeout=WAIT_MS
        )
        await expect(check).to_contain_text("Jeanne Petit")
        await expect(check).to_contain_text("Camille Martin")
        await step(page, "07-fermeture-a-confirmer")
        await press(check.get_by_role("button", name="Confirmer la fermeture"))
        closures = page.locator("#fs-exception-list")
        await expect(closures).to_contain_text("Formation de l'équipe", timeout=WAIT_MS)
        await step(page, "08-fermeture-enregistree")

        # 7. The day as CSV.
        async with page.expect_download() as download_info:
            await press(page.get_by_role("button", name="Télécharger la journée (CSV)"))
        download = await download_info.value
        content = await asyncio.to_thread(Path(await download.path()).read_text, "utf-8-sig")
        assert download.suggested_filename == f"rendez-vous-{site['id']}-{day}.csv"
        assert "Camille Martin" in content and "Jeanne Petit" in content and "honoré" in content
        assert "par un agent" in content

        # 8. The month's figures, with a bar per partner.
        await page.get_by_label("Mois").fill(day[:7])
        await press(page.locator("#fs-activity-form").get_by_role("button", name="Afficher"))
        chart = page.locator(".fs-chart")
        await expect(chart).to_contain_text(demarche["partner_label"], timeout=WAIT_MS)
        figures = (
            await api.get(
                "/v1/agent/activity", params={"month": day[:7], "site_id": site["id"]}, headers=headers
            )
        ).json()
        await expect(page.locator(".fs-figures")).to_contain_text(
            f"Accompagnements{figures['accompaniments']}"
        )
        await step(page, "09-activite")

        # Put the site's agenda back as it was (the closure is removed through the page).
        await press(closures.get_by_role("button", name="Supprimer").first)
        await expect(closures).not_to_contain_text("Formation de l'équipe", timeout=WAIT_MS)

        # 9. An agent of another site sees none of it.
        await press(page.get_by_role("button", name="Se déconnecter"))
        await sign_in_with_tab(page, theirs)
        await expect(
            page.get_by_role("heading", name=f"France Services n° {other_site['id']}")
        ).to_be_focused(timeout=WAIT_MS)
        await page.get_by_label("Jour affiché").fill(day)
        await expect(page.locator("#fs-day-summary")).to_contain_text("0 rendez-vous", timeout=WAIT_MS)
        for name in ("Camille Martin", "Jeanne Petit"):
            await expect(page.locator("body")).not_to_contain_text(name)
        assert [o for o in await page.locator("#fs-site-pick option").all_inner_texts()] == [
            f"France Services n° {other_site['id']}"
        ]
        await step(page, "10-autre-france-services")

    # 10. The token expires while a booking form is being filled: sign in again, nothing typed is lost.
    await page.goto(f"{short_lived}/agents")
    await sign_in_with_tab(page, mine)
    await expect(page.get_by_role("heading", name=f"France Services n° {site['id']}")).to_be_focused(
        timeout=WAIT_MS
    )
    await type_into(page.get_by_label("Nom et prénom (obligatoire)"), "Paul Durand")
    await type_into(page.get_by_label("Téléphone (facultatif)"), "07 98 76 54 32")
    await expect(page.locator("#fs-signin-reason")).to_contain_text("expiré", timeout=WAIT_MS)
    await step(page, "11-session-expiree")
    await sign_in_with_tab(page, mine)
    await expect(page.get_by_role("heading", name=f"France Services n° {site['id']}")).to_be_focused(
        timeout=WAIT_MS
    )
    await expect(page.get_by_label("Nom et prénom (obligatoire)")).to_be_visible()
    await expect(page.get_by_label("Nom et prénom (obligatoire)")).to_have_value("Paul Durand")
    await expect(page.get_by_label("Téléphone (facultatif)")).to_have_value("07 98 76 54 32")
    await step(page, "12-reconnecte-formulaire-garde")


# --- the keyboard alone ----------------------------------------------------------------------------

FOCUS_SHOWN = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'nothing has the focus';
    const what = el.outerHTML.slice(0, 90);
    if (!el.getClientRects().length) return `focus on something not shown: ${what}`;
    const ring = (s) => [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(' ');
    const style = getComputedStyle(el);
    const drawn = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
        || style.boxShadow !== 'none';
    if (!drawn) return `no focus ring on ${what}`;
    const twin = [...document.querySelectorAll(el.tagName)].find(
        (other) => other !== el && other.getClientRects().length && other.type === el.type);
    if (twin && ring(getComputedStyle(twin)) === ring(style)) return `focused looks unfocused: ${what}`;
    return '';
}"""


async def focus_shown(page: Page) -> None:
    """The focused element is on screen, with a ring of at least 2 px that an unfocused twin has not."""
    assert await page.evaluate(FOCUS_SHOWN) == ""


async def lands_on(page: Page, target: Locator) -> None:
    await expect(target).to_be_focused(timeout=WAIT_MS)
    await focus_shown(page)


async def tab_to(page: Page, target: Locator, *, back: bool = False, limit: int = 80) -> None:
    """Tab (or Shift+Tab) until ``target`` has the focus, every stop on the way with a visible focus."""
    for _ in range(limit):
        await page.keyboard.press("Shift+Tab" if back else "Tab")
        await focus_shown(page)
        if await target.evaluate("(el) => el === document.activeElement"):
            return
    raise AssertionError(f"{target} not reached in {limit} presses of Tab")


async def arrow_to(page: Page, control: Locator, value: str, limit: int = 100) -> None:
    """ArrowDown on a focused select (or radio group) until it holds ``value``."""
    for _ in range(limit):
        if await control.input_value() == value:
            return
        await page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not reached with the arrow keys")


async def test_the_main_flow_with_the_keyboard_alone(page: Page, base: str, cli):
    """No click, no programmatic focus: Tab, Shift+Tab, Enter, Space and arrows only. Every stop shows its
    focus, and after each action the focus is where the agent goes on from."""
    async with httpx.AsyncClient(base_url=base, timeout=15) as api:
        demarche, site, slots = await bookable(api)
        day = slots[0]["starts_at"][:10]
        last_of_day = [s for s in slots if s["starts_at"][:10] == day][-1]
        await book(api, site["id"], demarche["code"], slots[0]["starts_at"], "Louis Bernard")
        await book(api, site["id"], demarche["code"], last_of_day["starts_at"], "Inès Moreau")
    email = f"clavier-{dt.datetime.now():%H%M%S%f}@fs-gueret.fr"
    env = {"GATEWAY_AGENT_PASSWORD": PASSWORD}
    await asyncio.to_thread(cli, "create-agent", "--email", email, "--sites", str(site["id"]), env=env)
    keys = page.keyboard

    # Sign in.
    await page.goto(f"{base}/agents")
    await lands_on(page, page.get_by_role("heading", name="Connexion des agents"))
    await tab_to(page, page.get_by_label("Adresse e-mail professionnelle"))
    await keys.type(email)
    await tab_to(page, page.get_by_label("Mot de passe"))
    await keys.type(PASSWORD)
    await keys.press("Enter")
    await lands_on(page, page.get_by_role("heading", name=f"France Services n° {site['id']}"))
    await step(page, "30-clavier-connecte")

    # The day of the bookings, a day at a time.
    following = page.get_by_role("button", name="Jour suivant")
    await tab_to(page, following)
    for _ in range(15):
        if await page.get_by_label("Jour affiché").input_value() == day:
            break
        await keys.press("Enter")
    await expect(page.get_by_label("Jour affiché")).to_have_value(day)
    table = page.locator("#fs-day-table tbody")
    louis, ines = table.locator("tr", has_text="Louis Bernard"), table.locator("tr", has_text="Inès Moreau")
    await expect(louis).to_contain_text("Confirmé", timeout=WAIT_MS)
    await lands_on(page, following)

    # Louis Bernard's booking moved for him: the form, then the day at the new time.
    move_louis = louis.get_by_role("button", name="Reporter")
    await tab_to(page, move_louis)
    await keys.press("Enter")
    moving = page.get_by_role("heading", name="Reporter le rendez-vous de Louis Bernard")
    await lands_on(page, moving)
    await keys.press("Escape")  # changed their mind: the form closes, the focus goes back to the row
    await lands_on(page, move_louis)
    await expect(page.locator("#fs-move")).to_be_hidden()
    await keys.press("Enter")
    await lands_on(page, moving)
    await tab_to(page, page.get_by_label("Nouveau créneau, premier jour cherché"))
    await tab_to(page, page.get_by_role("button", name="Chercher les créneaux libres"))
    await keys.press("Enter")
    choices = page.locator("#fs-move-slots input[type=radio]")
    await lands_on(page, choices.first)
    await keys.press("ArrowRight")  # moves to the next slot and picks it
    await lands_on(page, choices.nth(1))
    await expect(choices.nth(1)).to_be_checked()
    new_start = await choices.nth(1).get_attribute("value")
    assert new_start
    await step(page, "31-clavier-report")
    await tab_to(page, page.get_by_role("button", name="Confirmer le report"))
    await keys.press("Enter")
    await lands_on(page, page.locator("#fs-day-done"))
    await expect(page.locator("#fs-day-done")).to_contain_text("Rendez-vous de Louis Bernard reporté")
    await expect(page.get_by_label("Jour affiché")).to_have_value(new_start[:10])
    await expect(louis.locator("td").first).to_have_text(re.compile(f"^{new_start[11:16]} – "))

    # Honoured, through the status list of his row; the focus comes back to that list.
    status = louis.get_by_role("combobox")
    await tab_to(page, status, back=True)
    await keys.press("ArrowDown")
    await expect(status).to_have_value("no_show")
    await keys.press("ArrowUp")
    await expect(status).to_have_value("honoured")
    await tab_to(page, louis.get_by_role("button", name="Appliquer"))
    await keys.press("Space")
    await expect(louis.locator(".fs-status")).to_have_text("Honoré", timeout=WAIT_MS)
    await lands_on(page, status)
    await expect(page.locator("#fs-live")).to_have_text("Louis Bernard : honoré.")
    await step(page, "32-clavier-honore")

    # Inès Moreau cannot come and calls: cancelled at her request; the focus goes to what was done.
    if new_start[:10] != day:
        await tab_to(page, page.get_by_role("button", name="Jour précédent"), back=True)
        while await page.get_by_label("Jour affiché").input_value() != day:
            await keys.press("Enter")
    cancel = ines.get_by_role("combobox")
    await tab_to(page, cancel)
    await arrow_to(page, cancel, "cancelled")
    await expect(cancel.locator("option:checked")).to_have_text("Annulé à la demande de la personne")
    await tab_to(page, ines.get_by_role("button", name="Appliquer"))
    await keys.press("Enter")
    await expect(ines.locator(".fs-status")).to_have_text("Annulé par la personne", timeout=WAIT_MS)
    await lands_on(page, page.locator("#fs-day-done"))
    await expect(page.locator("#fs-day-done")).to_have_text(
        "Rendez-vous d'Inès Moreau annulé à sa demande. La personne en est prévenue, comme toujours, par "
        "e-mail."
    )
    await expect(ines.get_by_role("button")).to_have_count(0)

    # A booking for someone, from the section link.
    await tab_to(page, page.get_by_role("link", name="Prendre rendez-vous"), back=True)
    await keys.press("Enter")
    await lands_on(page, page.get_by_role("heading", name="Prendre rendez-vous pour une personne"))
    which = page.get_by_label("Démarche", exact=True)
    await tab_to(page, which)
    await arrow_to(page, which, demarche["code"])
    await tab_to(page, page.get_by_role("button", name="Voir les créneaux libres"))
    await keys.press("Space")
    offered = page.locator("#fs-book-slots input[type=radio]").first
    await lands_on(page, offered)
    await keys.press("Space")
    await expect(offered).to_be_checked()
    await tab_to(page, page.get_by_label("Nom et prénom (obligatoire)"))
    await keys.type("Nadia Rahmani")
    await tab_to(page, page.get_by_label("Téléphone (facultatif)"))
    await keys.type("06 98 76 54 32")
    await tab_to(page, page.get_by_role("button", name="Réserver ce créneau"))
    await keys.press("Enter")
    confirmed = page.locator(".fs-confirmation")
    await lands_on(page, confirmed.get_by_role("heading", name="Rendez-vous confirmé"))
    await expect(confirmed).to_contain_text("Nadia Rahmani")
    await step(page, "33-clavier-rendez-vous-pris")

    # A walk-in, redirected, from its section link.
    await tab_to(page, page.get_by_role("link", name="Sans rendez-vous"), back=True)
    await keys.press("Enter")
    await lands_on(page, page.get_by_role("heading", name="Passage sans rendez-vous"))
    partner = page.get_by_label("Partenaire", exact=True)
    await tab_to(page, partner)
    await arrow_to(page, partner, "caf")
    await tab_to(page, page.get_by_label("Résolu sur place"))
    await keys.press("ArrowRight")
    await lands_on(page, page.get_by_label("Réorienté"))
    await expect(page.get_by_label("Réorienté")).to_be_checked()
    recorded = page.get_by_role("button", name="Enregistrer le passage")
    await tab_to(page, recorded)
    await keys.press("Enter")
    await expect(page.locator("#fs-walkin-done")).to_have_text("Passage enregistré.", timeout=WAIT_MS)
    await lands_on(page, recorded)
    await step(page, "34-clavier-passage")

    # Signing out, from the top of the page.
    await tab_to(page, page.get_by_role("button", name="Se déconnecter"), back=True, limit=120)
    await keys.press("Enter")
    await lands_on(page, page.get_by_role("heading", name="Connexion des agents"))


async def test_without_sms_the_agent_is_told_to_call_a_person_with_only_a_phone(
    page: Page, without_sms: str, cli
):
    async with httpx.AsyncClient(base_url=without_sms, timeout=15) as api:
        demarche, site, slots = await bookable(api)
        email = f"sans-sms-{dt.datetime.now():%H%M%S%f}@fs-gueret.fr"
        await asyncio.to_thread(
            cli,
            "create-agent",
            "--email",
            email,
            "--sites",
            str(site["id"]),
            env={"GATEWAY_AGENT_PASSWORD": PASSWORD},
        )
        booked = await api.post(
            "/v1/agent/bookings",
            json={
                "site_id": site["id"],
                "demarches": [demarche["code"]],
                "starts_at": slots[-1]["starts_at"],
                "person": {"name": "Marc Lefèvre", "phone": "06 11 22 33 44"},
            },
            headers=await agent_api(api, email) | {"Idempotency-Key": f"sans-sms-{email}"},
        )
        assert booked.status_code == 201, booked.text
    await page.goto(f"{without_sms}/agents")
    await sign_in_with_tab(page, email)
    await page.get_by_label("Jour affiché").fill(slots[-1]["starts_at"][:10])
    marc = page.locator("#fs-day-table tbody tr", has_text="Marc Lefèvre")
    await marc.get_by_role("combobox").select_option("cancelled")
    await press(marc.get_by_role("button", name="Appliquer"))
    await expect(page.locator("#fs-day-done")).to_have_text(
        "Rendez-vous de Marc Lefèvre annulé à sa demande. Pas de SMS configuré : prévenez la personne "
        "vous-même de l'annulation, au téléphone indiqué.",
        timeout=WAIT_MS,
    )
    await step(page, "40-sans-sms-annulation")
