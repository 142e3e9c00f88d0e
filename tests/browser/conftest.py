"""Fixtures for the browser tests: Debian's Chromium driven by Playwright's sync API.

Playwright is never asked to download a browser; the tests launch /usr/bin/chromium
(Debian package `chromium`, installed by `make system-packages`). Set CHROMIUM to use another
binary. Pages are served by pytest-django's `live_server`, so the tests need a transactional
database (`transactional_db`), and static files are served by the live server itself.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop running in the test thread; Django refuses
# ORM calls from such a thread unless told otherwise. Set before any fixture touches the database.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def screenshots_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        # Fail, not skip: `make test` must not pass silently without a browser.
        pytest.fail(f"Chromium not found at {CHROMIUM}; run `make system-packages` (apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _new_page(browser, **options):
    context = browser.new_context(locale="zh-CN", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def page(browser):
    """A desktop page (1280×900) in a fresh browser context."""
    context, page = _new_page(browser, viewport=DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    """A phone page: 390×844 CSS pixels at device scale factor 2, as a mobile browser."""
    context, page = _new_page(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield page
    context.close()
