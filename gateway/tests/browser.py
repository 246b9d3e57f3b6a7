"""Headless Chromium for the browser tests (the widget, the booking page): Debian's Chromium driven by
Playwright, French pages in the Paris time zone, uncaught script errors fail the test, and the
accessibility check with axe-core (shipped in the ``axe-playwright-python`` package)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from axe_playwright_python.base import AXE_SCRIPT
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 15_000


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # A fresh, empty profile for every launch (Playwright passes its own temporary user-data-dir).
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        await browser.close()


@asynccontextmanager
async def french_page(browser: Browser, **options: Any) -> AsyncIterator[Page]:
    """A page in its own context; on leaving, asserts that no script error went uncaught."""
    context = await browser.new_context(
        **(
            {"locale": "fr-FR", "timezone_id": "Europe/Paris", "viewport": {"width": 1280, "height": 900}}
            | options
        )
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    await context.close()
    assert errors == [], errors


async def axe_violations(page: Page) -> list[str]:
    """WCAG 2.1 A and AA rules of axe-core, on the whole page (open Shadow DOMs included)."""
    await page.evaluate(AXE_SCRIPT)
    results = await page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', "
        "'wcag21aa']}, resultTypes: ['violations']})"
    )
    return [f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']]}" for v in results["violations"]]
