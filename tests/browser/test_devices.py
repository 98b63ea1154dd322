"""Pair an authenticator app from the user page, as a help desk would."""

from __future__ import annotations

import re
from collections.abc import Callable

import pyotp
import pytest
from playwright.sync_api import Page, expect

from accounts.models import Membership
from devices.models import Device, DeviceRole, DeviceType
from tests.browser.conftest import screenshot
from tests.factories import PingIDUserFactory
from users.models import UserStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pair_authenticator_app_from_user_page(
    help_desk: Membership,
    live_server: object,
    sign_in: Callable[[Membership], Page],
) -> None:
    person = PingIDUserFactory(
        organization=help_desk.organization,
        username="pat.lee",
        status=UserStatus.PENDING_CHANGE_DEVICE,
    )
    page = sign_in(help_desk)

    page.goto(f"{live_server}/users/{person.pk}/")
    expect(page.locator("#user-devices")).to_contain_text("No device is paired")
    page.click("text=Pair authenticator app")
    page.click("#totp-start button[type=submit]")
    expect(page.locator(".qr-box svg")).to_be_visible()
    uri = page.locator("#totp-uri").text_content() or ""
    secret = page.locator("#totp-secret").text_content()
    screenshot(page, "devices-totp-pairing")

    # A mistyped code keeps the key the phone already scanned.
    totp = pyotp.parse_uri(uri)
    page.fill("input[name=otp]", "000000" if totp.now() != "000000" else "111111")
    page.click("#totp-finish button[type=submit]")
    expect(page.locator("#totp-secret")).to_have_text(secret or "")
    expect(page.locator(".field .error")).to_contain_text("Wrong code")
    expect(page.get_by_text("Wrong code")).to_have_count(1)
    screenshot(page, "devices-totp-wrong-code")

    # The phone reads the otpauth:// URI from the QR code and shows a code.
    code = totp.now()
    page.fill("input[name=otp]", code)
    page.click("#totp-finish button[type=submit]")

    row = page.locator(".device-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Authenticator app")
    expect(row).to_contain_text("Primary")
    expect(page.locator(".flash-success")).to_contain_text("Authenticator app paired")
    assert page.url.endswith(f"/users/{person.pk}/")
    screenshot(page, "devices-user-after-pairing")
    device = Device.objects.get(user=person)
    assert device.type == DeviceType.AUTHENTICATOR_APP
    assert device.role == DeviceRole.PRIMARY


def test_lost_device_flow_shows_code_once(
    help_desk: Membership,
    live_server: object,
    sign_in: Callable[[Membership], Page],
) -> None:
    person = PingIDUserFactory(organization=help_desk.organization, username="sam")
    device = Device.objects.create(
        organization=help_desk.organization,
        user=person,
        type=DeviceType.IPHONE,
        role=DeviceRole.PRIMARY,
        model="iPhone 13",
        display_id="+1 555 010 4242",
    )
    page = sign_in(help_desk)

    page.goto(f"{live_server}/devices/{device.pk}/lost/")
    page.check("input[name=issue_code]")
    page.click("#lost-form button[type=submit]")

    expect(page.locator("#activation-code")).to_have_text(
        re.compile(r"^\d{4} \d{4} \d{4}$")
    )
    expect(page.locator(".flash-success")).to_contain_text("is unpaired")
    screenshot(page, "devices-lost-code")
    page.goto(f"{live_server}/devices/users/{person.pk}/")
    expect(page.locator("#user-devices")).to_contain_text("No device is paired")
    expect(page.locator(".user-status")).to_have_text("Pending activation")


def test_lost_device_flow_with_bypass(
    help_desk: Membership,
    live_server: object,
    sign_in: Callable[[Membership], Page],
) -> None:
    person = PingIDUserFactory(organization=help_desk.organization, username="kim")
    device = Device.objects.create(
        organization=help_desk.organization,
        user=person,
        type=DeviceType.ANDROID,
        role=DeviceRole.PRIMARY,
        model="Pixel 7",
    )
    page = sign_in(help_desk)

    page.goto(f"{live_server}/devices/{device.pk}/lost/")
    page.check("input[name=bypass]")
    page.check("input[name=bypass-duration][value='4h']")
    page.fill("textarea[name=bypass-reason]", "Phone lost abroad")
    page.click("#lost-form button[type=submit]")

    expect(page.locator(".flash-success")).to_contain_text("MFA is bypassed")
    assert not Device.objects.filter(pk=device.pk).exists()
    assert person.services.filter(bypass_until__isnull=False).exists()
