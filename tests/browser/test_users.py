from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Membership
from tests.browser.conftest import screenshot
from tests.factories import PingIDUserFactory
from users.models import UserService

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_user_and_bypass_mfa(
    help_desk: Membership, sign_in: Callable[[Membership], Page], live_server: object
) -> None:
    for index in range(60):
        PingIDUserFactory(
            organization=help_desk.organization, username=f"user{index:02}"
        )
    PingIDUserFactory(
        organization=help_desk.organization,
        username="=Ελένη  Παπαδοπούλου",
        services=["vpn", "web"],
    )
    page = sign_in(help_desk)

    page.goto(f"{live_server}/users/")
    expect(page.locator("#status-chips .count").first).to_have_text("61")
    page.fill("#id_q", "ελένη  π")
    expect(page.locator(".users-table tbody tr")).to_have_count(1)
    assert "q=" in page.url
    screenshot(page, "users-search")
    page.click("text==Ελένη  Παπαδοπούλου")
    expect(page.locator("h1.username")).to_have_text("=Ελένη  Παπαδοπούλου")

    page.click("text=Bypass MFA")
    page.check("input[name=services][value=vpn]")
    page.check("input[name=duration][value='4h']")
    page.fill("textarea[name=reason]", "Phone left at home")
    page.click("button[value=review]")
    expect(page.locator(".confirm-box")).to_contain_text("UTC")
    screenshot(page, "users-bypass-review")
    page.click("button[value=confirm]")

    expect(page.locator(".flash-success")).to_contain_text("MFA is bypassed")
    expect(page.locator(".badge-warning").first).to_contain_text("MFA bypassed")
    screenshot(page, "users-detail-bypassed")
    row = UserService.objects.get(user__username="=Ελένη  Παπαδοπούλου", service="vpn")
    assert row.is_bypassed()


def test_users_list_pages_with_pushed_url(
    help_desk: Membership, sign_in: Callable[[Membership], Page], live_server: object
) -> None:
    for index in range(60):
        PingIDUserFactory(
            organization=help_desk.organization, username=f"user{index:02}"
        )
    page = sign_in(help_desk)

    page.goto(f"{live_server}/users/")
    page.click("text=Next →")

    expect(page.locator(".users-table tbody tr")).to_have_count(10)
    assert "after=" in page.url
    page.go_back()
    expect(page.locator(".users-table tbody tr")).to_have_count(50)
    screenshot(page, "users-list")
