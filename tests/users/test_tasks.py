from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from activity.models import ActivityEvent, Category
from pingid_portal.actors import Actor
from users.models import PingIDUser
from users.services import user_bypass, user_bypass_end
from users.tasks import record_ended_bypasses

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def expiry_events() -> list[ActivityEvent]:
    return list(ActivityEvent.objects.filter(action="user.bypass_expire"))


def test_records_each_ended_bypass_once(
    help_desk_actor: Actor, pingid_user: PingIDUser
) -> None:
    until = NOW + timedelta(hours=1)
    with time_machine.travel(NOW, tick=False):
        user_bypass(
            actor=help_desk_actor,
            user=pingid_user,
            services=["vpn", "ssh"],
            until=until,
            reason="Token lost",
        )
    with time_machine.travel(until - timedelta(seconds=1), tick=False):
        assert record_ended_bypasses() == 0

    with time_machine.travel(until, tick=False):
        written = record_ended_bypasses()
        again = record_ended_bypasses()

    assert written == 2
    assert again == 0
    events = expiry_events()
    assert {event.service for event in events} == {"vpn", "ssh"}
    assert all(event.occurred_at == until for event in events)
    assert all(event.category == Category.SYSTEM for event in events)
    assert all(event.pingid_user_id == pingid_user.pk for event in events)
    assert all(event.reason == "Token lost" for event in events)


def test_unlimited_and_resumed_bypasses_are_not_recorded(
    admin_actor: Actor, pingid_user: PingIDUser
) -> None:
    with time_machine.travel(NOW, tick=False):
        user_bypass(
            actor=admin_actor,
            user=pingid_user,
            services=["vpn"],
            until=None,
            unlimited=True,
            reason="VIP",
        )
        user_bypass(
            actor=admin_actor,
            user=pingid_user,
            services=["web"],
            until=NOW + timedelta(hours=1),
            reason="r",
        )
        user_bypass_end(actor=admin_actor, user=pingid_user, services=["web"])

    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        assert record_ended_bypasses() == 0

    assert expiry_events() == []
