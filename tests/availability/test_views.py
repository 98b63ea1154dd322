from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import Membership
from activity.models import ActivityEvent
from availability.models import (
    EmergencyBypass,
    Incident,
    IncidentNote,
    MaintenanceWindow,
    Probe,
    ServiceFailureMode,
    ServiceState,
)
from availability.probes import probes_run
from pingid_portal.actors import Actor
from tests.availability.conftest import make_bypass, make_window

ClientFor = Callable[[Membership], Client]

PAGES = [
    "/availability/",
    "/availability/settings/",
    "/availability/maintenance/",
    "/availability/emergency-bypass/",
    "/availability/incidents/",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("persona", ["global_admin", "help_desk", "auditor"])
def test_pages_open_for_every_role(
    path: str, persona: str, request: pytest.FixtureRequest, client_for: ClientFor
) -> None:
    membership = request.getfixturevalue(persona)

    response = client_for(membership).get(path)

    assert response.status_code == 200


def test_pages_require_sign_in(client: Client) -> None:
    response = client.get("/availability/")

    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


def test_help_desk_sees_no_forms(help_desk: Membership, client_for: ClientFor) -> None:
    response = client_for(help_desk).get("/availability/settings/")

    assert b"Save switch" not in response.content
    assert b"Save behaviour" not in response.content


def test_status_page_query_count(
    global_admin: Membership,
    client_for: ClientFor,
    django_assert_num_queries: Any,
    settings: Any,
) -> None:
    # Only without a broker does the page query for due probes.
    settings.CELERY_BROKER_URL = ""
    probes_run(now=timezone.now())
    Incident.objects.create(component="web", started_at=timezone.now())
    client = client_for(global_admin)
    client.get("/availability/")

    # Session, user, administrator MFA device, membership, due check,
    # states (5), uptime and its incidents (2), incident list (1), switch and
    # overrides (2), banners (1).
    with django_assert_num_queries(16):
        response = client.get("/availability/")

    assert response.status_code == 200
    assert b"Uptime, last 90 days" in response.content
    assert b'data-component="pingid_api"' in response.content


def test_disable_then_banner(global_admin: Membership, client_for: ClientFor) -> None:
    client = client_for(global_admin)

    response = client.post(
        "/availability/settings/switch/",
        {"enabled": "false", "reason": "Moving to a new data centre"},
        follow=True,
    )

    assert response.status_code == 200
    assert b'data-banner="service-disabled"' in response.content
    assert b"Moving to a new data centre" in response.content
    assert ServiceState.objects.get().enabled is False
    dashboard = client.get("/")
    assert b'data-banner="service-disabled"' in dashboard.content


def test_disable_without_reason_shows_error(
    global_admin: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).post(
        "/availability/settings/switch/", {"enabled": "false", "reason": ""}
    )

    assert response.status_code == 200
    assert b"Reason is missing" in response.content
    assert not ServiceState.objects.filter(enabled=False).exists()


def test_help_desk_cannot_post_switch(
    help_desk: Membership, client_for: ClientFor
) -> None:
    response = client_for(help_desk).post(
        "/availability/settings/switch/", {"enabled": "false", "reason": "x"}
    )

    assert response.status_code == 403
    assert not ServiceState.objects.exists()


def test_failure_modes_form(global_admin: Membership, client_for: ClientFor) -> None:
    response = client_for(global_admin).post(
        "/availability/settings/failure-modes/",
        {"default_mode": "reject", "override_vpn": "bypass", "override_web": ""},
    )

    assert response.status_code == 302
    assert ServiceFailureMode.objects.get().service == "vpn"
    assert ServiceState.objects.get().failure_mode == "reject"


@time_machine.travel("2026-02-01 10:00Z", tick=False)
def test_bypass_form_uses_admin_time_zone(
    global_admin: Membership, client_for: ClientFor
) -> None:
    global_admin.time_zone = "Europe/Berlin"
    global_admin.save()

    response = client_for(global_admin).post(
        "/availability/emergency-bypass/start/",
        {"ends_at": "2026-02-01T13:00", "reason": "Push provider down"},
        follow=True,
    )

    bypass = EmergencyBypass.objects.get()
    assert bypass.ends_at.isoformat() == "2026-02-01T12:00:00+00:00"
    assert b'data-banner="emergency-bypass"' in response.content


def test_bypass_form_error_in_past(
    global_admin: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).post(
        "/availability/emergency-bypass/start/",
        {"ends_at": "2000-01-01T00:00", "reason": "x"},
    )

    assert response.status_code == 200
    assert b"End time is in the past" in response.content
    assert not EmergencyBypass.objects.exists()


def test_bypass_end_button(global_admin: Membership, client_for: ClientFor) -> None:
    bypass = make_bypass(Actor.for_membership(global_admin), timezone.now())

    response = client_for(global_admin).post(
        f"/availability/emergency-bypass/{bypass.pk}/end/"
    )

    bypass.refresh_from_db()
    assert response.status_code == 302
    assert bypass.ended_early_at is not None


def test_other_organization_bypass_is_404(
    global_admin: Membership, outsider: Membership, client_for: ClientFor
) -> None:
    bypass = make_bypass(Actor.for_membership(global_admin), timezone.now())

    response = client_for(outsider).post(
        f"/availability/emergency-bypass/{bypass.pk}/end/"
    )

    assert response.status_code == 404


def test_maintenance_create_and_list(
    global_admin: Membership, client_for: ClientFor
) -> None:
    client = client_for(global_admin)
    start = timezone.now() + timedelta(hours=2)
    end = start + timedelta(hours=1)

    response = client.post(
        "/availability/maintenance/new/",
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
            "message": "Certificate renewal",
        },
        follow=True,
    )

    assert MaintenanceWindow.objects.count() == 1
    assert b"Certificate renewal" in response.content
    assert b'data-banner="maintenance-upcoming"' in response.content


def test_maintenance_end_before_start_error(
    global_admin: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).post(
        "/availability/maintenance/new/",
        {
            "starts_at": "2099-01-01T10:00",
            "ends_at": "2099-01-01T09:00",
            "message": "x",
        },
    )

    assert b"End is not after start" in response.content
    assert not MaintenanceWindow.objects.exists()


@pytest.mark.parametrize("time_zone", ["UTC", "America/New_York"])
def test_maintenance_far_future_rejected(
    global_admin: Membership, client_for: ClientFor, time_zone: str
) -> None:
    global_admin.time_zone = time_zone
    global_admin.save()

    response = client_for(global_admin).post(
        "/availability/maintenance/new/",
        {
            "starts_at": "9999-12-31T20:00",
            "ends_at": "9999-12-31T23:00",
            "message": "x",
        },
    )

    errors = response.context["form"].errors
    assert response.status_code == 200
    assert errors["starts_at"] == [
        "Start 9999-12-31 is more than 365 days from now: choose a start within "
        "365 days."
    ]
    assert not MaintenanceWindow.objects.exists()


def test_maintenance_garbage_time_says_format(
    global_admin: Membership, client_for: ClientFor
) -> None:
    response = client_for(global_admin).post(
        "/availability/maintenance/new/",
        {"starts_at": "next tuesday", "ends_at": "99999-01-01T10:00", "message": "x"},
    )

    errors = response.context["form"].errors
    assert errors["starts_at"] == [
        "Starts at is invalid: enter a date and time such as 2026-06-01T14:30."
    ]
    assert errors["ends_at"] == [
        "Ends at is invalid: enter a date and time such as 2026-06-01T14:30."
    ]
    assert not MaintenanceWindow.objects.exists()


def test_maintenance_list_query_count(
    global_admin: Membership, client_for: ClientFor, django_assert_num_queries: Any
) -> None:
    actor = Actor.for_membership(global_admin)
    now = timezone.now()
    for day in range(1, 6):
        make_window(
            actor, now - timedelta(days=day, hours=1), now - timedelta(days=day)
        )
    client = client_for(global_admin)

    # Session, user, administrator MFA device, membership, windows, banner.
    with django_assert_num_queries(6):
        response = client.get("/availability/maintenance/")

    assert response.content.count(b"Completed") == 5


def test_maintenance_banner_current(
    global_admin: Membership, client_for: ClientFor
) -> None:
    now = timezone.now()
    make_window(
        Actor.for_membership(global_admin),
        now - timedelta(minutes=5),
        now + timedelta(hours=1),
        "Database upgrade",
    )

    response = client_for(global_admin).get("/users/")

    assert b'data-banner="maintenance-current"' in response.content
    assert b"Database upgrade" in response.content


def test_incident_note_only_own_organization(
    global_admin: Membership, outsider: Membership, client_for: ClientFor
) -> None:
    incident = Incident.objects.create(component="database", started_at=timezone.now())

    response = client_for(global_admin).post(
        f"/availability/incidents/{incident.pk}/notes/",
        {"text": "Restarted the primary"},
        follow=True,
    )
    other = client_for(outsider).get(f"/availability/incidents/{incident.pk}/")

    assert b"Restarted the primary" in response.content
    assert IncidentNote.objects.count() == 1
    assert other.status_code == 200
    assert b"Restarted the primary" not in other.content


def test_status_page_runs_due_probes(
    global_admin: Membership, client_for: ClientFor, settings: Any
) -> None:
    # The page runs probes itself only without a broker, where no beat runs.
    settings.CELERY_BROKER_URL = ""
    client = client_for(global_admin)
    events_before = ActivityEvent.objects.count()

    client.get("/availability/")

    assert Probe.objects.count() == 5
    assert ActivityEvent.objects.count() == events_before


def test_banners_one_query_when_none(
    global_admin: Membership, client_for: ClientFor, django_assert_num_queries: Any
) -> None:
    from availability.selectors import banners_get

    with django_assert_num_queries(1):
        banners = banners_get(global_admin.organization, timezone.now())

    assert banners.service_disabled is False
    assert banners.emergency_bypass is None
    assert banners.maintenance_current is None
    assert banners.maintenance_upcoming is None
