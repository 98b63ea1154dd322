"""Wide tables and phone widths: no content is cut off or scrolls the page sideways."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from accounts.models import Membership
from activity.models import Category, Outcome
from activity.services import event_record
from pingid_portal.actors import Actor
from tests.browser.conftest import screenshot
from tests.factories import PingIDUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Width of the document and of each horizontally scrolling table container.
MEASURE = """() => {
  const doc = document.documentElement;
  return {
    page: [doc.scrollWidth, doc.clientWidth],
    wraps: [...document.querySelectorAll('.table-wrap')].map(
      (wrap) => [wrap.scrollWidth, wrap.clientWidth, getComputedStyle(wrap).overflowX]
    ),
  };
}"""


def _measure(page: Page) -> dict[str, Any]:
    page.wait_for_load_state("networkidle")
    result: dict[str, Any] = page.evaluate(MEASURE)
    return result


def _record_long_events(membership: Membership) -> None:
    """Write events whose every column has a long value, as a busy log has."""
    organization = membership.organization
    user = PingIDUserFactory(
        organization=organization, username="maximilian.mustermann-schmidt"
    )
    for _ in range(3):
        event_record(
            actor=Actor.system(organization, "settings file 12 (VPN gateway)"),
            category=Category.AUTHENTICATION,
            action="authentication.pairing_finish",
            outcome=Outcome.TIMED_OUT,
            pingid_user=user,
            service="winremote",
            ip_address="2001:db8:85a3:1234:5678:8a2e:370:7334",
            reason="The mobile app did not answer within 60 seconds",
            message="Push notification sent to iPhone 15 Pro (+1 555 0100 1234)",
            application="Citrix Gateway",
        )


def test_activity_table_fits_laptop_width(
    global_admin: Membership, sign_in: Callable[[Membership], Page], live_server: object
) -> None:
    _record_long_events(global_admin)
    page = sign_in(global_admin)

    page.goto(f"{live_server}/activity/")
    sizes = _measure(page)
    screenshot(page, "layout-activity-1366")

    page_width, viewport_width = sizes["page"]
    table_width, container_width, _ = sizes["wraps"][0]
    assert page_width <= viewport_width
    assert table_width <= container_width


def test_activity_table_scrolls_when_narrow(
    global_admin: Membership, sign_in: Callable[[Membership], Page], live_server: object
) -> None:
    _record_long_events(global_admin)
    page = sign_in(global_admin)
    page.set_viewport_size({"width": 1024, "height": 800})

    page.goto(f"{live_server}/activity/")
    sizes = _measure(page)
    screenshot(page, "layout-activity-1024")

    page_width, viewport_width = sizes["page"]
    _, _, overflow = sizes["wraps"][0]
    assert page_width <= viewport_width
    assert overflow == "auto"


@pytest.mark.parametrize(
    "path",
    [
        "/availability/",
        "/availability/settings/",
        "/availability/maintenance/",
        "/availability/emergency-bypass/",
        "/availability/incidents/",
    ],
)
def test_availability_fits_phone_width(
    global_admin: Membership,
    sign_in: Callable[[Membership], Page],
    live_server: object,
    path: str,
) -> None:
    page = sign_in(global_admin)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server}{path}")
    sizes = _measure(page)
    screenshot(page, "layout-phone" + path.rstrip("/").replace("/", "-"))

    page_width, viewport_width = sizes["page"]
    assert page_width <= viewport_width
