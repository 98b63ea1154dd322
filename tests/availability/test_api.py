from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import Membership
from accounts.services import api_token_create
from availability.health import Check, State
from availability.models import EmergencyBypass, Incident, MaintenanceWindow
from availability.probes import probe_record
from pingid_portal.actors import Actor
from tests.availability.conftest import make_bypass, make_window

ApiClient = Callable[[Membership], Client]


@pytest.fixture
def api_client(db: None) -> ApiClient:
    def make(membership: Membership) -> Client:
        _, token = api_token_create(
            actor=Actor.for_membership(membership), name="tests"
        )
        return Client(
            HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_USER_AGENT="pytest-api"
        )

    return make


def _put(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.put(path, body, content_type="application/json")


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def test_state_defaults(global_admin: Membership, api_client: ApiClient) -> None:
    response = api_client(global_admin).get("/api/v1/availability/")

    body = response.json()
    assert response.status_code == 200
    assert body["enabled"] is True
    assert body["default_mode"] == "reject"
    assert body["effective_modes"]["vpn"] == "reject"
    assert body["emergency_bypass"] is None


def test_switch_and_modes(global_admin: Membership, api_client: ApiClient) -> None:
    client = api_client(global_admin)

    switched = _put(
        client, "/api/v1/availability/service/", {"enabled": False, "reason": "Move"}
    )
    modes = _put(
        client,
        "/api/v1/availability/failure-modes/",
        {"default_mode": "bypass", "overrides": {"ssh": "reject"}},
    )

    assert switched.status_code == 200
    assert switched.json()["enabled"] is False
    assert modes.json()["effective_modes"] == {
        "web": "bypass",
        "winlocal": "bypass",
        "winremote": "bypass",
        "maclocal": "bypass",
        "ssh": "reject",
        "vpn": "bypass",
    }


def test_switch_error_envelope(global_admin: Membership, api_client: ApiClient) -> None:
    response = _put(
        api_client(global_admin),
        "/api/v1/availability/service/",
        {"enabled": False, "reason": ""},
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "reason": ["Reason is missing: say why, so other administrators understand."]
    }


def test_modes_unknown_service(global_admin: Membership, api_client: ApiClient) -> None:
    response = _put(
        api_client(global_admin),
        "/api/v1/availability/failure-modes/",
        {"default_mode": "reject", "overrides": {"telnet": "bypass"}},
    )

    assert response.status_code == 400
    assert "overrides" in response.json()["fields"]


@pytest.mark.parametrize("persona", ["help_desk", "auditor"])
def test_writes_need_global_admin(
    persona: str, request: pytest.FixtureRequest, api_client: ApiClient
) -> None:
    client = api_client(request.getfixturevalue(persona))
    ends_at = (timezone.now() + timedelta(hours=1)).isoformat()

    responses = [
        _put(
            client, "/api/v1/availability/service/", {"enabled": False, "reason": "x"}
        ),
        _post(
            client,
            "/api/v1/availability/emergency-bypasses/",
            {"ends_at": ends_at, "reason": "x"},
        ),
        client.get("/api/v1/availability/"),
    ]

    assert [response.status_code for response in responses] == [403, 403, 200]


def test_bypass_lifecycle(global_admin: Membership, api_client: ApiClient) -> None:
    client = api_client(global_admin)
    ends_at = (timezone.now() + timedelta(hours=2)).isoformat()

    created = _post(
        client,
        "/api/v1/availability/emergency-bypasses/",
        {"ends_at": ends_at, "reason": "Push down", "services": ["vpn"]},
    )
    pk = created.json()["id"]
    state = client.get("/api/v1/availability/").json()
    ended = _post(client, f"/api/v1/availability/emergency-bypasses/{pk}/end/")
    again = _post(client, f"/api/v1/availability/emergency-bypasses/{pk}/end/")
    listed = client.get("/api/v1/availability/emergency-bypasses/")

    assert created.status_code == 201
    assert created.json()["active"] is True
    assert state["emergency_bypass"]["id"] == pk
    assert ended.json()["active"] is False
    assert again.status_code == 409
    assert again.json()["code"] == "emergency_bypass_ended"
    assert [item["id"] for item in listed.json()["results"]] == [pk]


def test_bypass_other_organization_404(
    global_admin: Membership, outsider: Membership, api_client: ApiClient
) -> None:
    bypass = make_bypass(Actor.for_membership(global_admin), timezone.now())

    response = api_client(outsider).get(
        f"/api/v1/availability/emergency-bypasses/{bypass.pk}/"
    )

    assert response.status_code == 404
    assert EmergencyBypass.objects.count() == 1


def test_maintenance_lifecycle(global_admin: Membership, api_client: ApiClient) -> None:
    client = api_client(global_admin)
    start = timezone.now() + timedelta(hours=1)

    created = _post(
        client,
        "/api/v1/availability/maintenance-windows/",
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "message": "Upgrade",
        },
    )
    pk = created.json()["id"]
    cancelled = _post(client, f"/api/v1/availability/maintenance-windows/{pk}/cancel/")

    assert created.status_code == 201
    assert created.json()["status"] == "scheduled"
    assert cancelled.json()["status"] == "cancelled"
    assert MaintenanceWindow.objects.get().cancelled_at is not None


def test_maintenance_invalid(global_admin: Membership, api_client: ApiClient) -> None:
    start = timezone.now() + timedelta(hours=1)

    response = _post(
        api_client(global_admin),
        "/api/v1/availability/maintenance-windows/",
        {
            "starts_at": start.isoformat(),
            "ends_at": start.isoformat(),
            "message": "Upgrade",
        },
    )

    assert response.status_code == 400
    assert "ends_at" in response.json()["fields"]


def test_past_windows_listed(global_admin: Membership, api_client: ApiClient) -> None:
    now = timezone.now()
    make_window(
        Actor.for_membership(global_admin),
        now - timedelta(days=3),
        now - timedelta(days=3) + timedelta(hours=1),
    )

    response = api_client(global_admin).get("/api/v1/availability/maintenance-windows/")

    assert [item["status"] for item in response.json()["results"]] == ["completed"]


@time_machine.travel("2026-01-10 12:00Z", tick=False)
def test_uptime_and_incidents(global_admin: Membership, api_client: ApiClient) -> None:
    client = api_client(global_admin)
    probe_record(component="web", check=Check(State.OK), now=timezone.now())
    incident = Incident.objects.create(component="web", started_at=timezone.now())

    uptime = client.get("/api/v1/availability/uptime/?days=7")
    invalid = client.get("/api/v1/availability/uptime/?days=91")
    incidents = client.get("/api/v1/availability/incidents/")
    note = _post(
        client, f"/api/v1/availability/incidents/{incident.pk}/notes/", {"text": "Hi"}
    )
    detail = client.get(f"/api/v1/availability/incidents/{incident.pk}/")
    components = client.get("/api/v1/availability/components/")

    web = next(item for item in uptime.json() if item["component"] == "web")
    assert len(web["days"]) == 7
    assert web["days"][-1]["percent"] == 100.0
    assert web["days"][-1]["incident_ids"] == [incident.pk]
    assert invalid.status_code == 400
    assert invalid.json()["fields"] == {
        "days": ["days '91' is invalid: give a whole number from 1 to 90."]
    }
    assert [item["id"] for item in incidents.json()] == [incident.pk]
    assert note.status_code == 201
    assert [item["text"] for item in detail.json()["notes"]] == ["Hi"]
    states = {item["component"]: item["state"] for item in components.json()}
    assert states["web"] == "ok"
    assert states["database"] == "unknown"


def test_schema_lists_availability(
    api_client: ApiClient, global_admin: Membership
) -> None:
    response = api_client(global_admin).get("/api/v1/schema/?format=json")

    paths = response.json()["paths"]
    assert "/api/v1/availability/emergency-bypasses/{bypass_id}/end/" in paths
    assert "/api/v1/availability/uptime/" in paths
