"""Playwright fixtures for browser tests, on Debian's Chromium.

Browser tests skip, saying how to install Chromium, where it is missing;
under CI (PORTAL_REQUIRE_BROWSER=true) a missing Chromium fails them instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from accounts.mfa_codes import totp_code, totp_current_step
from accounts.models import Membership
from tests.conftest import mfa_device_for
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# of the test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = _chromium_path()
    if executable is None:
        message = "Chromium is not installed: run `apt-get install chromium` to run browser tests."
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Any) -> None:
    """Serve static files by their plain names, as the live server's handler does."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 860})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(live_server: object, page: Page) -> Callable[[Membership], Page]:
    """Sign in through the sign-in page as the given administrator."""

    def do_sign_in(membership: Membership, password: str = PASSWORD) -> Page:
        device = mfa_device_for(membership)
        page.goto(f"{live_server}/accounts/sign-in/")
        page.fill("input[name=username]", membership.user.email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        if "/accounts/mfa/" in page.url:
            device.refresh_from_db()
            # A code is accepted once: after a sign-in in this time step, use the next.
            step = max(totp_current_step(), device.last_time_step + 1)
            page.fill("input[name=code]", totp_code(device.key, step))
            page.click("button[type=submit]")
        return page

    return do_sign_in


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under var/screenshots for people to look at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
