from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Membership
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_and_disable_administrator(
    global_admin: Membership,
    help_desk: Membership,
    live_server: object,
    sign_in: Callable[[Membership], Page],
) -> None:
    page = sign_in(global_admin)
    page.click("nav >> text=Administrators")
    expect(page.locator("table.table")).to_contain_text(help_desk.user.email)
    page.click("text=Help desk")
    expect(page).to_have_url(f"{live_server}/accounts/administrators/?filter=help_desk")
    expect(page.locator("table.table tbody tr")).to_have_count(1)
    screenshot(page, "administrators")

    page.click("text=Add administrator")
    page.fill("input[name=email]", "new.person@example.com")
    page.select_option("select[name=role]", "auditor")
    page.click("button:has-text('Add administrator')")
    expect(page.locator("#generated-password")).not_to_be_empty()
    screenshot(page, "administrator-added")

    page.click("text=Open the administrator")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Disable')")
    expect(page.locator("#administrator-panel .badge")).to_have_text("Disabled")
    expect(page.locator("#messages")).to_contain_text("disabled")
    screenshot(page, "administrator-disabled")


def test_last_global_admin_demotion_shows_error(
    global_admin: Membership, sign_in: Callable[[Membership], Page], live_server: object
) -> None:
    page = sign_in(global_admin)
    page.goto(f"{live_server}/accounts/administrators/{global_admin.pk}/")

    page.select_option("select[name=role]", "auditor")
    page.click("button:has-text('Change role')")

    expect(page.locator("#administrator-panel .form-error")).to_contain_text(
        "last active global administrator"
    )
    screenshot(page, "administrator-last-global")


def test_profile_token_and_phone_layout(
    auditor: Membership, sign_in: Callable[[Membership], Page], live_server: object
) -> None:
    page = sign_in(auditor)
    page.goto(f"{live_server}/accounts/profile/")
    page.fill("input[name=name]", "reporting job")
    page.click("button:has-text('Create token')")
    expect(page.locator("#new-token")).to_contain_text("pp_")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "profile-phone")


def test_api_docs_load_without_network(
    global_admin: Membership, sign_in: Callable[[Membership], Page], live_server: object
) -> None:
    page = sign_in(global_admin)
    external: list[str] = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url)
            if not request.url.startswith(str(live_server))
            else None
        ),
    )

    page.goto(f"{live_server}/api/v1/docs/")

    expect(page.locator(".swagger-ui .title")).to_contain_text("pingid-portal")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert external == []
    screenshot(page, "api-docs")
