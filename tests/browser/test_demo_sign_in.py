"""The credentials that `make run` prints sign in to the portal."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_TOTP_SECRETS
from accounts.mfa_codes import totp_code
from pingid_portal.demo import DEMO_ADMINISTRATORS, DEMO_ORG_NAME
from pingid_portal.permissions import Role
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_credentials_sign_in(live_server: object, page: Page) -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    admin = next(a for a in DEMO_ADMINISTRATORS if a.role == Role.GLOBAL_ADMIN)

    page.goto(f"{live_server}/accounts/sign-in/")
    page.fill("input[name=username]", admin.email)
    page.fill("input[name=password]", admin.password)
    page.click("button[type=submit]")
    # The printed instructions give each demo administrator's TOTP seed.
    page.fill("input[name=code]", totp_code(DEMO_TOTP_SECRETS[admin.email]))
    page.click("button[type=submit]")

    expect(page.locator(".topbar-title")).to_have_text("Dashboard")
    expect(page.locator(".org-name")).to_have_text(DEMO_ORG_NAME)
    screenshot(page, "demo-dashboard")
