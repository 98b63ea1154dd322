from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Dialog, Page, expect

from accounts.models import Membership
from availability.models import MaintenanceWindow
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accept_confirmations(page: Page) -> None:
    def accept(dialog: Dialog) -> None:
        dialog.accept()

    page.on("dialog", accept)


def test_switch_banner_appears_and_disappears(
    global_admin: Membership, sign_in: Callable[[Membership], Page], live_server: object
) -> None:
    page = sign_in(global_admin)
    _accept_confirmations(page)
    disabled_banner = page.locator('[data-banner="service-disabled"]')
    expect(disabled_banner).to_have_count(0)

    page.goto(f"{live_server}/availability/settings/")
    page.select_option("select[name=enabled]", "false")
    page.fill("textarea[name=reason]", "Moving to a new tenant")
    page.click("text=Save switch")

    expect(disabled_banner).to_contain_text("Moving to a new tenant")
    page.goto(f"{live_server}/users/")
    expect(disabled_banner).to_be_visible()
    screenshot(page, "availability-disabled-banner")

    page.goto(f"{live_server}/availability/settings/")
    page.select_option("select[name=enabled]", "true")
    page.click("text=Save switch")

    expect(page.locator(".flash-success")).to_contain_text("now enabled")
    expect(disabled_banner).to_have_count(0)


def test_emergency_bypass_banner(
    global_admin: Membership, sign_in: Callable[[Membership], Page], live_server: object
) -> None:
    page = sign_in(global_admin)
    _accept_confirmations(page)
    banner = page.locator('[data-banner="emergency-bypass"]')
    ends_at = timezone.now() + timedelta(hours=3)

    page.goto(f"{live_server}/availability/emergency-bypass/")
    page.fill("input[name=ends_at]", ends_at.strftime("%Y-%m-%dT%H:%M"))
    page.check("input[name=services][value=vpn]")
    page.fill("textarea[name=reason]", "Push provider outage")
    page.click("text=Start emergency bypass")

    expect(banner).to_contain_text("Push provider outage")
    expect(banner).to_contain_text("for VPN until")
    expect(banner).to_have_class("banner banner-danger")
    screenshot(page, "availability-emergency-bypass")

    page.click("text=End now")

    expect(page.locator(".flash-success")).to_contain_text("MFA is required again")
    expect(banner).to_have_count(0)


def test_maintenance_banner_before_and_during(
    global_admin: Membership, sign_in: Callable[[Membership], Page], live_server: object
) -> None:
    now = timezone.now()
    window = MaintenanceWindow.objects.create(
        organization=global_admin.organization,
        starts_at=now + timedelta(hours=2),
        ends_at=now + timedelta(hours=3),
        message="Database upgrade",
        created_by="tests",
    )
    page = sign_in(global_admin)
    upcoming = page.locator('[data-banner="maintenance-upcoming"]')
    current = page.locator('[data-banner="maintenance-current"]')

    expect(upcoming).to_contain_text("Database upgrade")
    expect(current).to_have_count(0)

    window.starts_at = now - timedelta(minutes=1)
    window.save()
    page.reload()

    expect(current).to_contain_text("Database upgrade")
    expect(upcoming).to_have_count(0)
    screenshot(page, "availability-maintenance-banner")

    window.ends_at = now
    window.save()
    page.reload()

    expect(current).to_have_count(0)
    expect(upcoming).to_have_count(0)
