"""End to end: a settings file downloaded from the portal drives the PingID API."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Page, expect

from accounts.models import Membership
from activity.models import ActivityEvent
from tests.browser.conftest import screenshot
from tests.integrations.pingid_client import (
    PingIDClient,
    read_by_splitting,
    read_with_jproperties,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _download_settings_file(page: Page, live_server: Any, tmp_path: Path) -> str:
    page.goto(f"{live_server.url}/integrations/")
    page.select_option("select[name=kind]", "full")
    page.click("button:has-text('Generate settings file')")
    expect(page.locator(".flash-success")).to_contain_text(
        "Generated full settings file"
    )
    with page.expect_download() as download_info:
        page.locator("button:has-text('Download')").first.click()
    target = tmp_path / "pingid.properties"
    download_info.value.save_as(target)
    return target.read_text()


def _caller(client: PingIDClient, live_server: Any) -> Callable[..., dict[str, Any]]:
    def call(operation: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{live_server.url}{client.path(operation)}",
            data=client.sign(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as error:
            text = error.read().decode()
        # Two calls in the same millisecond with the same body would be a replay.
        time.sleep(0.002)
        return client.read_answer(text)

    return call


def test_downloaded_file_drives_api(
    global_admin: Membership,
    sign_in: Callable[[Membership], Page],
    live_server: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.PORTAL_BASE_URL = live_server.url
    page = sign_in(global_admin)
    text = _download_settings_file(page, live_server, tmp_path)
    by_parser = read_with_jproperties(text)
    assert read_by_splitting(text) == by_parser
    assert by_parser["idp_url"] == f"{live_server.url}/pingid"
    call = _caller(PingIDClient.from_properties(by_parser, urlsafe=True), live_server)

    added = call(
        "adduser", {"userName": "road.warrior", "fName": "Road", "lName": "Warrior"}
    )
    pairing = call(
        "authenticatorappstartpairing",
        {"username": "road.warrior", "pairingType": "TOTP"},
    )
    totp = pyotp.TOTP(pairing["pairingKey"])
    paired = call(
        "authenticatorappfinishpairing",
        {"sessionId": pairing["sessionId"], "otp": totp.now()},
    )
    started = call(
        "startauthentication", {"userName": "road.warrior", "spAlias": "vpn"}
    )
    # The pairing used the current time step; the next step is within the allowed drift.
    finished = call(
        "authoffline",
        {
            "userName": "road.warrior",
            "spAlias": "vpn",
            "sessionId": started["sessionId"],
            "otp": totp.at(time.time() + 30),
        },
    )

    assert added["errorId"] == 200
    assert paired["errorId"] == 200
    assert started["errorId"] == 30015
    assert finished["errorId"] == 200
    page.goto(f"{live_server.url}/integrations/")
    row = page.locator("tr", has_text=by_parser["token"])
    expect(row.locator("td").nth(4)).to_have_text("5")
    screenshot(page, "integrations")
    page.goto(f"{live_server.url}/activity/")
    for action in (
        "user.create",
        "device.pair",
        "authentication.start",
        "authentication.finish",
    ):
        # get_by_text reads the action across the <wbr> break points inside it.
        action_code = page.locator("code").get_by_text(action, exact=True)
        row = page.locator("tr", has=action_code).filter(has_text="road.warrior")
        expect(row.first).to_be_visible()
    screenshot(page, "integrations-activity")
    finish = ActivityEvent.objects.get(action="authentication.finish")
    assert finish.outcome == "success"
    assert finish.ip_address == "127.0.0.1"
    assert finish.settings_file_id is not None
