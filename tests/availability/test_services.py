from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from accounts.models import Membership
from activity.models import ActivityEvent
from availability.models import (
    EmergencyBypass,
    Incident,
    MaintenanceWindow,
    ServiceFailureMode,
    ServiceState,
)
from availability.services import (
    availability_set_failure_modes,
    availability_set_service,
    emergency_bypass_end,
    emergency_bypass_record_ended,
    emergency_bypass_start,
    incident_note_add,
    maintenance_window_cancel,
    maintenance_window_create,
)
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from tests.availability.conftest import make_window


def _events(action: str) -> list[ActivityEvent]:
    return list(ActivityEvent.objects.filter(action=action).order_by("id"))


def test_disable_records_event(admin_actor: Actor) -> None:
    state = availability_set_service(
        actor=admin_actor, enabled=False, reason="Tenant migration"
    )

    events = _events("availability.service_disable")
    assert state.enabled is False
    assert state.reason == "Tenant migration"
    assert len(events) == 1
    assert events[0].before == {"enabled": True, "reason": ""}
    assert events[0].after == {"enabled": False, "reason": "Tenant migration"}
    assert events[0].reason == "Tenant migration"
    assert events[0].ip_address == "127.0.0.1"


def test_disable_requires_reason(admin_actor: Actor) -> None:
    with pytest.raises(ServiceError) as raised:
        availability_set_service(actor=admin_actor, enabled=False, reason="  ")

    assert raised.value.field == "reason"
    assert not ServiceState.objects.filter(enabled=False).exists()
    assert not _events("availability.service_disable")


def test_enable_again(admin_actor: Actor) -> None:
    availability_set_service(actor=admin_actor, enabled=False, reason="Migration")

    state = availability_set_service(actor=admin_actor, enabled=True, reason="")

    assert state.enabled is True
    assert len(_events("availability.service_enable")) == 1


def test_switch_unchanged_rejected(admin_actor: Actor) -> None:
    with pytest.raises(ServiceError) as raised:
        availability_set_service(actor=admin_actor, enabled=True, reason="")

    assert raised.value.code == "unchanged"


def test_reason_too_long_rejected(admin_actor: Actor) -> None:
    with pytest.raises(ServiceError) as raised:
        availability_set_service(actor=admin_actor, enabled=False, reason="x" * 501)

    assert "501 characters" in raised.value.message


@pytest.mark.parametrize("persona", ["help_desk", "auditor"])
def test_non_global_admin_cannot_manage(
    persona: str, request: pytest.FixtureRequest, now: datetime
) -> None:
    membership: Membership = request.getfixturevalue(persona)
    actor = Actor.for_membership(membership)

    with pytest.raises(PermissionDenied):
        availability_set_service(actor=actor, enabled=False, reason="x")
    with pytest.raises(PermissionDenied):
        emergency_bypass_start(
            actor=actor, ends_at=now + timedelta(hours=1), reason="x"
        )
    with pytest.raises(PermissionDenied):
        maintenance_window_create(
            actor=actor,
            starts_at=now + timedelta(hours=1),
            ends_at=now + timedelta(hours=2),
            message="x",
        )
    assert not ActivityEvent.objects.exists()


def test_failure_modes_set_and_clear(admin_actor: Actor) -> None:
    availability_set_failure_modes(
        actor=admin_actor, default_mode="bypass", overrides={"vpn": "reject"}
    )
    availability_set_failure_modes(
        actor=admin_actor, default_mode="bypass", overrides={"vpn": None}
    )

    state = ServiceState.objects.get(organization=admin_actor.organization)
    events = _events("availability.failure_modes_change")
    assert state.failure_mode == "bypass"
    assert not ServiceFailureMode.objects.exists()
    assert len(events) == 2
    assert events[0].after == {"default_mode": "bypass", "overrides": {"vpn": "reject"}}
    assert events[1].after == {"default_mode": "bypass", "overrides": {}}


def test_failure_modes_invalid_changes_nothing(admin_actor: Actor) -> None:
    with pytest.raises(ServiceError) as raised:
        availability_set_failure_modes(
            actor=admin_actor, default_mode="bypass", overrides={"telnet": "reject"}
        )
    with pytest.raises(ServiceError) as invalid_mode:
        availability_set_failure_modes(
            actor=admin_actor, default_mode="open", overrides={}
        )

    assert raised.value.field == "overrides"
    assert invalid_mode.value.field == "default_mode"
    assert not ServiceState.objects.exists()


def test_bypass_start_and_end_early(admin_actor: Actor, now: datetime) -> None:
    bypass = emergency_bypass_start(
        actor=admin_actor,
        ends_at=now + timedelta(hours=4),
        reason="Push provider down",
        services=["vpn", "web", "vpn"],
    )
    ended = emergency_bypass_end(actor=admin_actor, bypass=bypass)

    assert bypass.services == ["web", "vpn"]
    assert ended.ended_early_at is not None
    assert ended.end_recorded_at is not None
    assert len(_events("availability.emergency_bypass_start")) == 1
    assert len(_events("availability.emergency_bypass_end")) == 1
    with pytest.raises(ConflictError):
        emergency_bypass_end(actor=admin_actor, bypass=bypass)


def test_bypass_only_one_active(admin_actor: Actor, now: datetime) -> None:
    emergency_bypass_start(
        actor=admin_actor, ends_at=now + timedelta(hours=1), reason="Outage"
    )

    with pytest.raises(ConflictError) as raised:
        emergency_bypass_start(
            actor=admin_actor, ends_at=now + timedelta(hours=2), reason="Again"
        )

    assert raised.value.code == "emergency_bypass_active"
    assert EmergencyBypass.objects.count() == 1


@pytest.mark.parametrize(
    ("offset", "fragment"),
    [
        (timedelta(minutes=-1), "in the past"),
        (timedelta(hours=73), "more than 72 hours"),
    ],
)
def test_bypass_end_validated(
    admin_actor: Actor, now: datetime, offset: timedelta, fragment: str
) -> None:
    with pytest.raises(ServiceError) as raised:
        emergency_bypass_start(actor=admin_actor, ends_at=now + offset, reason="x")

    assert raised.value.field == "ends_at"
    assert fragment in raised.value.message
    assert not EmergencyBypass.objects.exists()


def test_bypass_requires_reason(admin_actor: Actor, now: datetime) -> None:
    with pytest.raises(ServiceError) as raised:
        emergency_bypass_start(
            actor=admin_actor, ends_at=now + timedelta(hours=1), reason=""
        )

    assert raised.value.field == "reason"


def test_bypass_unknown_service_rejected(admin_actor: Actor, now: datetime) -> None:
    with pytest.raises(ServiceError) as raised:
        emergency_bypass_start(
            actor=admin_actor,
            ends_at=now + timedelta(hours=1),
            reason="x",
            services=["rdp"],
        )

    assert raised.value.field == "services"


def test_bypass_end_recorded_once(admin_actor: Actor) -> None:
    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        bypass = emergency_bypass_start(
            actor=admin_actor,
            ends_at=datetime.fromisoformat("2026-03-01T12:00+00:00"),
            reason="Outage",
        )
    with time_machine.travel("2026-03-01 11:59Z", tick=False) as traveller:
        early = emergency_bypass_record_ended(
            now=datetime.fromisoformat("2026-03-01T11:59+00:00")
        )
        traveller.move_to("2026-03-01 12:01Z")
        first = emergency_bypass_record_ended(
            now=datetime.fromisoformat("2026-03-01T12:01+00:00")
        )
        second = emergency_bypass_record_ended(
            now=datetime.fromisoformat("2026-03-01T12:02+00:00")
        )

    events = _events("availability.emergency_bypass_end")
    bypass.refresh_from_db()
    assert (early, first, second) == (0, 1, 0)
    assert len(events) == 1
    assert events[0].actor_kind == "system"
    assert events[0].occurred_at == bypass.ends_at
    assert bypass.ended_early_at is None


def test_maintenance_create(admin_actor: Actor, now: datetime) -> None:
    window = maintenance_window_create(
        actor=admin_actor,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        message="  Database upgrade ",
    )

    assert window.message == "Database upgrade"
    assert len(_events("availability.maintenance_create")) == 1


@pytest.mark.parametrize(
    ("start", "end", "field", "fragment"),
    [
        (timedelta(hours=2), timedelta(hours=1), "ends_at", "not after start"),
        (timedelta(hours=2), timedelta(hours=2), "ends_at", "not after start"),
        (timedelta(hours=-3), timedelta(hours=-1), "ends_at", "in the past"),
        (timedelta(hours=1), timedelta(hours=80), "ends_at", "longer than 72"),
        (timedelta(days=366), timedelta(days=366, hours=1), "starts_at", "365 days"),
    ],
)
def test_maintenance_validated(
    admin_actor: Actor,
    now: datetime,
    start: timedelta,
    end: timedelta,
    field: str,
    fragment: str,
) -> None:
    with pytest.raises(ServiceError) as raised:
        maintenance_window_create(
            actor=admin_actor, starts_at=now + start, ends_at=now + end, message="x"
        )

    assert raised.value.field == field
    assert fragment in raised.value.message
    assert not MaintenanceWindow.objects.exists()


def test_maintenance_message_required(admin_actor: Actor, now: datetime) -> None:
    with pytest.raises(ServiceError) as raised:
        maintenance_window_create(
            actor=admin_actor,
            starts_at=now + timedelta(hours=1),
            ends_at=now + timedelta(hours=2),
            message=" ",
        )

    assert raised.value.field == "message"


def test_maintenance_overlap_rejected(admin_actor: Actor, now: datetime) -> None:
    make_window(admin_actor, now + timedelta(hours=1), now + timedelta(hours=3))

    with pytest.raises(ServiceError) as raised:
        maintenance_window_create(
            actor=admin_actor,
            starts_at=now + timedelta(hours=2),
            ends_at=now + timedelta(hours=4),
            message="Second",
        )

    assert raised.value.code == "overlap"
    assert MaintenanceWindow.objects.count() == 1


def test_overlap_message_in_administrator_time_zone(
    admin_actor: Actor, now: datetime
) -> None:
    admin_actor.membership.time_zone = "Europe/Berlin"
    # A winter day, when Berlin is an hour ahead of UTC.
    starts = datetime(now.year + 1, 1, 10, 9, 0, tzinfo=UTC)
    make_window(admin_actor, starts, starts + timedelta(hours=2))

    with pytest.raises(ServiceError) as raised:
        maintenance_window_create(
            actor=admin_actor,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            message="Again",
        )

    day = f"{now.year + 1}-01-10"
    assert f"from {day} 10:00 CET to {day} 12:00 CET" in raised.value.message


def test_maintenance_cancel_and_end(admin_actor: Actor, now: datetime) -> None:
    future = make_window(
        admin_actor, now + timedelta(hours=1), now + timedelta(hours=2)
    )
    current = make_window(
        admin_actor, now - timedelta(hours=1), now + timedelta(minutes=30)
    )

    cancelled = maintenance_window_cancel(actor=admin_actor, window=future)
    ended = maintenance_window_cancel(actor=admin_actor, window=current)

    assert cancelled.cancelled_at is not None
    assert ended.cancelled_at is None
    assert ended.ends_at <= now + timedelta(seconds=5)
    assert len(_events("availability.maintenance_cancel")) == 1
    assert len(_events("availability.maintenance_end")) == 1
    with pytest.raises(ConflictError):
        maintenance_window_cancel(actor=admin_actor, window=cancelled)


def test_past_window_cannot_cancel(admin_actor: Actor, now: datetime) -> None:
    past = make_window(admin_actor, now - timedelta(days=2), now - timedelta(days=1))

    with pytest.raises(ConflictError) as raised:
        maintenance_window_cancel(actor=admin_actor, window=past)

    assert raised.value.code == "maintenance_completed"


def test_incident_note(admin_actor: Actor, now: datetime) -> None:
    incident = Incident.objects.create(component="database", started_at=now)

    note = incident_note_add(actor=admin_actor, incident=incident, text=" Restarted ")

    assert note.text == "Restarted"
    assert note.organization == admin_actor.organization
    assert len(_events("availability.incident_note_add")) == 1
    with pytest.raises(ServiceError):
        incident_note_add(actor=admin_actor, incident=incident, text="")
