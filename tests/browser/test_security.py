from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.mfa import mfa_recovery_codes_regenerate
from accounts.mfa_codes import totp_code
from accounts.models import Membership, SignInLockout
from pingid_portal.actors import Actor
from tests.browser.conftest import screenshot
from tests.conftest import mfa_device_for
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Reports every CSP violation to the test; added before any page script runs.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def _password_step(page: Page, live_server: Any, email: str, password: str) -> None:
    page.goto(f"{live_server}/accounts/sign-in/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_sign_in_with_mfa_enrollment(
    live_server: Any, page: Page, help_desk: Membership
) -> None:
    _password_step(page, live_server, help_desk.user.email, PASSWORD)

    expect(page.locator("h1")).to_have_text("Set up two-step verification")
    expect(page.locator(".qr-code svg")).to_be_visible()
    screenshot(page, "mfa-enrollment")
    secret = page.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
    page.fill("input[name=code]", totp_code(secret))
    page.click("button[type=submit]")

    expect(page.locator("h1")).to_have_text("Your recovery codes")
    expect(page.locator("[data-testid=recovery-codes] li")).to_have_count(10)
    screenshot(page, "mfa-recovery-codes")
    page.click("text=I have saved my recovery codes")
    expect(page.locator(".topbar-title")).to_have_text("Dashboard")


def test_sign_in_with_recovery_code(
    live_server: Any, page: Page, global_admin: Membership
) -> None:
    mfa_device_for(global_admin)
    codes = mfa_recovery_codes_regenerate(actor=Actor.for_membership(global_admin))

    _password_step(page, live_server, global_admin.user.email, PASSWORD)
    expect(page.locator("h1")).to_have_text("Two-step verification")
    page.fill("input[name=code]", codes[3])
    page.click("button[type=submit]")

    expect(page.locator(".topbar-title")).to_have_text("Dashboard")
    expect(page.locator(".flash-warning")).to_contain_text("9 are left")
    page.goto(f"{live_server}/accounts/security/me/")
    expect(page.locator("[data-testid=recovery-codes-left]")).to_have_text("9 of 10")
    screenshot(page, "my-security")


def test_lockout_and_lift(
    live_server: Any,
    page: Page,
    help_desk: Membership,
    global_admin: Membership,
    sign_in: Callable[[Membership], Page],
) -> None:
    for _ in range(5):
        _password_step(page, live_server, help_desk.user.email, "wrong-password-1")
    expect(page.locator(".form-error")).to_contain_text(
        "Too many failed sign-ins for this account"
    )
    _password_step(page, live_server, help_desk.user.email, PASSWORD)
    expect(page.locator(".form-error")).to_contain_text("Too many failed sign-ins")
    screenshot(page, "sign-in-locked")

    sign_in(global_admin)
    page.goto(f"{live_server}/accounts/security/")
    expect(page.locator("[data-testid=lockouts]")).to_contain_text(help_desk.user.email)
    screenshot(page, "security-overview")
    page.fill("[data-testid=lockouts] input[name=reason]", "verified by phone")
    page.click("text=Lift lockout")
    expect(page.locator(".flash-success")).to_contain_text(help_desk.user.email)
    assert SignInLockout.objects.get().lifted_at is not None

    page.context.clear_cookies()
    sign_in(help_desk)
    expect(page.locator(".topbar-title")).to_have_text("Dashboard")


def _nav_links(page: Page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        ".sidebar nav a, .admin-menu .menu a", "links => links.map(l => l.href)"
    )
    return list(dict.fromkeys(hrefs))


def test_headers_and_no_console_errors(
    live_server: Any,
    page: Page,
    global_admin: Membership,
    help_desk: Membership,
    sign_in: Callable[[Membership], Page],
) -> None:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.add_init_script(CSP_LISTENER)
    mfa_device_for(help_desk)

    response = page.goto(f"{live_server}/accounts/sign-in/")
    assert response is not None
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"

    sign_in(global_admin)
    links = _nav_links(page)
    assert any(link.endswith("/accounts/security/") for link in links)
    extra = [
        f"{live_server}/accounts/security/administrators/{help_desk.pk}/",
        f"{live_server}/api/v1/docs/",
    ]
    for url in links + extra:
        visited = page.goto(url)
        assert visited is not None
        assert visited.status < 400, f"{url} answered {visited.status}"
        assert "content-security-policy" in visited.headers, url
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__cspViolations")
        assert violations == [], f"{url}: {violations}"

    assert problems == []
