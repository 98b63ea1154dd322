from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Membership
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_shows_dashboard(
    global_admin: Membership, sign_in: Callable[[Membership], Page]
) -> None:
    page = sign_in(global_admin)

    expect(page.locator(".topbar-title")).to_have_text("Dashboard")
    expect(page.locator(".org-name")).to_have_text("Acme")
    screenshot(page, "dashboard")


def test_sign_in_with_wrong_password_shows_error(
    global_admin: Membership, sign_in: Callable[..., Page]
) -> None:
    page = sign_in(global_admin, "not-the-password")

    expect(page.locator(".form-error")).to_contain_text(
        "Wrong e-mail address or password"
    )
