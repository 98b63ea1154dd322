from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.test import Client

from accounts.models import Membership
from activity.models import ActivityEvent
from tests.factories import PingIDUserFactory
from users.models import UserService

NOW = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)


def test_dashboard_counts_and_links(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
    django_assert_num_queries: Any,
) -> None:
    organization = global_admin.organization
    global_admin.time_zone = "Europe/Berlin"
    global_admin.save()
    flaky = PingIDUserFactory(organization=organization, username="flaky")
    steady = PingIDUserFactory(organization=organization, username="steady")
    UserService.objects.filter(user=steady, service="vpn").update(
        bypass_until=NOW + timedelta(hours=2)
    )
    for minutes in range(3):
        record_auth(
            organization,
            occurred_at=NOW - timedelta(minutes=minutes),
            outcome="failure",
            pingid_user=flaky,
        )
    record_auth(organization, occurred_at=NOW - timedelta(hours=2), pingid_user=steady)
    record_auth(
        organization,
        occurred_at=NOW - timedelta(days=3),
        outcome="failure",
        pingid_user=steady,
    )
    client = client_for(global_admin)

    with time_machine.travel(NOW):
        client.get("/")
        # Session, user, the administrator's MFA device, membership, the
        # authentication counts' watermark (0: no rollup yet), bars, users by
        # status, devices by type, bypass list, bypass count, most failures,
        # availability banners.
        with django_assert_num_queries(12):
            page = client.get("/").content.decode()
        month = client.get("/?period=month").content.decode()

    assert "75.0 %" in page
    assert "3 failed, denied or timed out</a> of" in page
    assert "4 authentications" in page
    # 13:00 Berlin is 12:00 UTC: the bar of the three failures links to its hour.
    assert "13:00: 3 authentications (Failure 3)" in page
    assert "since=2026-11-20T13%3A00&amp;until=2026-11-20T14%3A00" in page
    assert re.search(
        rf'/activity/users/{flaky.pk}/\?outcome=failure[^"]*">flaky</a>', page
    )
    assert ">steady</a> · VPN" in page
    assert "/users/?status=ACTIVE" in page
    assert "Active: 2" in page
    assert "80.0 %" in month


def test_dashboard_without_data_explains_empty_state(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    page = client_for(global_admin).get("/").content.decode()

    assert "Nobody skips MFA right now." in page
    assert "No failed authentications in this period." in page
    assert "No devices yet." in page
    assert 'style="' not in page
