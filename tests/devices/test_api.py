from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from rest_framework.test import APIClient

from accounts.models import Membership
from activity.models import ActivityEvent
from devices.models import Device, DeviceRole, DeviceType, PairingSession
from tests.factories import DeviceFactory, PingIDUserFactory
from users.models import PingIDUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for() -> Callable[[Membership], APIClient]:
    def make(membership: Membership) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=membership.user)
        return client

    return make


@pytest.fixture
def api(help_desk: Membership, api_for: Callable[[Membership], APIClient]) -> APIClient:
    return api_for(help_desk)


def test_list_masks_and_filters(
    api: APIClient, make_device: Callable[..., Device]
) -> None:
    make_device(type=DeviceType.SMS, display_id="+1 555 010 9876")
    make_device(type=DeviceType.IPHONE, blocked=True)

    everything = api.get("/api/v1/devices/").json()
    blocked = api.get("/api/v1/devices/", {"blocked": "true"}).json()

    assert len(everything["results"]) == 2
    assert "+• ••• ••• 9876" in [d["display_id"] for d in everything["results"]]
    assert [d["type"] for d in blocked["results"]] == ["iPhone"]


def test_list_invalid_filter_is_envelope(api: APIClient) -> None:
    response = api.get("/api/v1/devices/", {"unused_days": "0"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "unused_days" in response.json()["fields"]


def test_detail_other_organization_is_404(
    api: APIClient, other_organization: Any
) -> None:
    device = DeviceFactory(user=PingIDUserFactory(organization=other_organization))

    response = api.get(f"/api/v1/devices/{device.pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unpair_then_conflict(
    api: APIClient, make_device: Callable[..., Device]
) -> None:
    device = make_device()
    url = f"/api/v1/devices/{device.pk}/unpair/"

    first = api.post(url, {"reason": "lost"}, format="json")
    second = api.post(url, {"reason": "lost"}, format="json")

    assert first.status_code == 204
    assert second.status_code == 409
    assert second.json()["code"] == "already_unpaired"
    assert ActivityEvent.objects.filter(action="device.unpair").count() == 1


def test_unpair_invalid_reason(
    api: APIClient, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    response = api.post(
        f"/api/v1/devices/{device.pk}/unpair/", {"reason": "bored"}, format="json"
    )

    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert Device.objects.filter(pk=device.pk).exists()


def test_auditor_may_read_not_write(
    auditor: Membership,
    api_for: Callable[[Membership], APIClient],
    make_device: Callable[..., Device],
) -> None:
    device = make_device()
    client = api_for(auditor)

    assert client.get(f"/api/v1/devices/{device.pk}/").status_code == 200
    response = client.post(f"/api/v1/devices/{device.pk}/block/", {}, format="json")
    assert response.status_code == 403


def test_rename_primary_block_move(
    api: APIClient, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    first, second = make_device(), make_device()

    renamed = api.patch(
        f"/api/v1/devices/{second.pk}/", {"nickname": "Backup"}, format="json"
    )
    primary = api.post(f"/api/v1/devices/{second.pk}/primary/")
    blocked = api.post(f"/api/v1/devices/{first.pk}/block/", {}, format="json")
    again = api.post(f"/api/v1/devices/{first.pk}/block/", {}, format="json")
    moved = api.post(
        f"/api/v1/devices/{second.pk}/move/", {"position": 0}, format="json"
    )

    assert renamed.json()["nickname"] == "Backup"
    assert primary.json()["role"] == DeviceRole.PRIMARY
    assert blocked.json()["blocked"] is True
    assert again.status_code == 409
    assert again.json()["code"] == "already_blocked"
    assert moved.json()["order"] == 0


def test_user_devices_unpair_all_and_reorder(
    api: APIClient, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    first, second = make_device(), make_device()

    listed = api.get(f"/api/v1/users/{person.pk}/devices/").json()
    reordered = api.post(
        f"/api/v1/users/{person.pk}/devices/reorder/",
        {"device_ids": [second.pk, first.pk]},
        format="json",
    )
    stale = api.post(
        f"/api/v1/users/{person.pk}/devices/reorder/",
        {"device_ids": [second.pk]},
        format="json",
    )
    removed = api.post(
        f"/api/v1/users/{person.pk}/devices/unpair/", {"reason": "other"}, format="json"
    )

    assert [d["id"] for d in listed["devices"]] == [first.pk, second.pk]
    assert listed["otp_failure_count"] == 0
    assert [d["id"] for d in reordered.json()] == [second.pk, first.pk]
    assert stale.status_code == 409
    assert removed.status_code == 204
    assert not person.devices.exists()


def test_activation_code_issue_and_status(api: APIClient, person: PingIDUser) -> None:
    issued = api.post(
        f"/api/v1/users/{person.pk}/activation-codes/", {"hours": 12}, format="json"
    )
    code = issued.json()["code"]
    status = api.post("/api/v1/activation-codes/status/", {"code": code}, format="json")
    unknown = api.post(
        "/api/v1/activation-codes/status/", {"code": "000000000000"}, format="json"
    )

    assert issued.status_code == 201
    assert issued["Cache-Control"] == "no-store"
    assert len(code) == 12
    assert issued.json()["qr_svg"].startswith("<svg")
    assert status.json() == {"status": "NOT_CLAIMED", "device_id": None}
    assert unknown.json()["status"] == "NOT_EXIST"


def test_activation_code_hours_out_of_range(api: APIClient, person: PingIDUser) -> None:
    response = api.post(
        f"/api/v1/users/{person.pk}/activation-codes/", {"hours": 337}, format="json"
    )

    assert response.status_code == 400
    assert "hours" in response.json()["fields"]


def test_totp_pairing_over_api(api: APIClient, person: PingIDUser) -> None:
    started = api.post(f"/api/v1/users/{person.pk}/pairings/totp/")
    body = started.json()
    url = f"/api/v1/pairings/{body['session_id']}/finish/"

    wrong = api.post(url, {"otp": "000000"}, format="json")
    finished = api.post(url, {"otp": pyotp.TOTP(body["secret"]).now()}, format="json")

    assert started.status_code == 201
    assert started["Cache-Control"] == "no-store"
    assert body["otpauth_uri"].startswith("otpauth://totp/")
    assert wrong.status_code == 400
    assert wrong.json()["fields"] == {"otp": [wrong.json()["message"]]}
    assert finished.status_code == 201
    assert finished.json()["type"] == DeviceType.AUTHENTICATOR_APP
    assert finished.json()["role"] == DeviceRole.PRIMARY


def test_email_pairing_over_api(
    api: APIClient,
    person: PingIDUser,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    import re

    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(
            f"/api/v1/users/{person.pk}/pairings/email/",
            {"email": "pat@example.com"},
            format="json",
        )
    found = re.search(r"\b(\d{6})\b", mailoutbox[0].body)
    assert found is not None
    session = PairingSession.objects.get()

    finished = api.post(
        f"/api/v1/pairings/{session.session_id}/finish/",
        {"otp": found.group(1)},
        format="json",
    )

    assert started.status_code == 201
    assert finished.status_code == 201
    assert finished.json()["email"] == "pat@example.com"


def test_lost_over_api_with_code(
    api: APIClient, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    response = api.post(
        f"/api/v1/devices/{device.pk}/lost/",
        {"reason": "lost", "issue_code": True, "code_hours": 24},
        format="json",
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert len(response.json()["activation_code"]["code"]) == 12
    assert not Device.objects.filter(pk=device.pk).exists()


def test_lost_over_api_bypass_without_end_rolls_back(
    api: APIClient, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    response = api.post(
        f"/api/v1/devices/{device.pk}/lost/",
        {"issue_code": True, "bypass": {"reason": "trip"}},
        format="json",
    )

    assert response.status_code == 400
    assert "until" in response.json()["fields"]
    assert Device.objects.filter(pk=device.pk).exists()


def test_otp_unlock_over_api(api: APIClient, person: PingIDUser) -> None:
    response = api.post(f"/api/v1/users/{person.pk}/otp-unlock/")

    assert response.status_code == 409
    assert response.json()["code"] == "not_locked"


def test_schema_lists_device_paths(api: APIClient) -> None:
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/devices/{device_id}/unpair/" in text
    assert "/api/v1/pairings/{session_id}/finish/" in text
