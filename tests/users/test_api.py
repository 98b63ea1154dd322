from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import Membership
from activity.models import ActivityEvent
from users.models import PingIDUser, UserService, UserStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_list_filters_and_pages_by_cursor(
    auditor: Membership,
    api_for: Callable[[Membership], APIClient],
    make_user: Callable[..., PingIDUser],
) -> None:
    for index in range(5):
        make_user(username=f"api{index}")
    make_user(username="api-suspended", status=UserStatus.SUSPENDED)
    client = api_for(auditor)

    first = client.get("/api/v1/users/", {"q": "API", "page_size": 3})
    second = client.get(first.json()["next"])
    suspended = client.get("/api/v1/users/", {"status": "SUSPENDED"})

    assert first.status_code == 200
    names = [row["username"] for row in first.json()["results"]]
    names += [row["username"] for row in second.json()["results"]]
    assert names == ["api-suspended", "api0", "api1", "api2", "api3", "api4"]
    assert [row["username"] for row in suspended.json()["results"]] == ["api-suspended"]
    row = first.json()["results"][1]
    assert row["device_count"] == 0
    assert {service["status"] for service in row["services"]} == {"ACTIVE"}


def test_invalid_filter_uses_error_envelope(
    auditor: Membership, api_for: Callable[[Membership], APIClient]
) -> None:
    response = api_for(auditor).get("/api/v1/users/", {"status": "GONE"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "status" in body["fields"]


def test_create_and_duplicate(
    help_desk: Membership, api_for: Callable[[Membership], APIClient]
) -> None:
    client = api_for(help_desk)

    created = client.post(
        "/api/v1/users/",
        {"username": "@Ünïcode user", "services": ["vpn"]},
        format="json",
    )
    duplicate = client.post(
        "/api/v1/users/", {"username": "@ünïcode USER"}, format="json"
    )

    assert created.status_code == 201
    assert created.json()["username"] == "@Ünïcode user"
    assert duplicate.status_code == 400
    assert duplicate.json()["code"] == "duplicate"
    assert "username" in duplicate.json()["fields"]


def test_create_trims_username(
    help_desk: Membership, api_for: Callable[[Membership], APIClient]
) -> None:
    client = api_for(help_desk)

    created = client.post("/api/v1/users/", {"username": "  sam lee \t"}, format="json")
    again = client.post("/api/v1/users/", {"username": "sam lee"}, format="json")
    blank = client.post("/api/v1/users/", {"username": "   "}, format="json")

    assert created.status_code == 201
    assert created.json()["username"] == "sam lee"
    assert PingIDUser.objects.get().username == "sam lee"
    assert again.json()["code"] == "duplicate"
    assert blank.status_code == 400
    assert "username" in blank.json()["fields"]


@pytest.mark.parametrize(
    "body",
    [
        {"action": "disable", "reason": "r"},
        {"action": "disable", "reason": "r", "user_ids": [999999]},
        {"action": "disable", "reason": "r", "filter": "q=nobody-has-this-name"},
    ],
)
def test_bulk_without_users_names_request_fields(
    global_admin: Membership,
    api_for: Callable[[Membership], APIClient],
    body: dict[str, object],
) -> None:
    response = api_for(global_admin).post("/api/v1/users/bulk/", body, format="json")

    error = response.json()
    assert response.status_code == 400
    assert error["code"] == "no_users"
    assert "user_ids" in error["fields"]
    assert "user_ids" in error["message"]
    assert "filter" in error["message"]
    assert "tick" not in error["message"]


@time_machine.travel(NOW, tick=False)
def test_bypass_resume_and_cap(
    help_desk: Membership,
    api_for: Callable[[Membership], APIClient],
    pingid_user: PingIDUser,
) -> None:
    client = api_for(help_desk)
    url = f"/api/v1/users/{pingid_user.pk}/"

    too_long = client.post(
        url + "bypass/",
        {"until": (NOW + timedelta(days=4)).isoformat(), "reason": "r"},
        format="json",
    )
    unlimited = client.post(
        url + "bypass/", {"unlimited": True, "reason": "r"}, format="json"
    )
    ok = client.post(
        url + "bypass/",
        {"until": "2026-06-01T16:00:00+02:00", "services": ["vpn"], "reason": "Lost"},
        format="json",
    )
    resumed = client.post(url + "resume-mfa/", {"reason": "Found"}, format="json")

    assert too_long.status_code == 400
    assert too_long.json()["code"] == "bypass_cap"
    assert unlimited.status_code == 403
    assert ok.status_code == 200
    vpn = next(s for s in ok.json()["services"] if s["service"] == "vpn")
    assert vpn["status"] == "BYPASS"
    assert vpn["bypass_until"] == "2026-06-01T14:00:00Z"
    assert resumed.status_code == 200
    assert not UserService.objects.get(user=pingid_user, service="vpn").is_bypassed()
    assert ActivityEvent.objects.filter(action="user.bypass_end").count() == 1


def test_suspend_activate_update_remove(
    global_admin: Membership,
    api_for: Callable[[Membership], APIClient],
    pingid_user: PingIDUser,
) -> None:
    client = api_for(global_admin)
    url = f"/api/v1/users/{pingid_user.pk}/"

    suspended = client.post(url + "suspend/", {"reason": "Stolen"}, format="json")
    again = client.post(url + "suspend/", {"reason": "Stolen"}, format="json")
    activated = client.post(url + "activate/", {"reason": "Back"}, format="json")
    updated = client.patch(url, {"email": "alice@example.org"}, format="json")
    service = client.post(url + "remove/", {"service": "ssh"}, format="json")
    removed = client.post(url + "remove/", {"reason": "Left"}, format="json")
    removed_again = client.post(url + "remove/", {"reason": "Left"}, format="json")

    assert suspended.json()["status"] == "SUSPENDED"
    assert again.status_code == 409
    assert again.json()["code"] == "already_suspended"
    assert activated.json()["status"] == "ACTIVE"
    assert updated.json()["email"] == "alice@example.org"
    assert service.status_code == 200
    assert removed.status_code == 204
    assert removed_again.status_code == 404
    assert not PingIDUser.objects.exists()


def test_auditor_cannot_change_anything(
    auditor: Membership,
    api_for: Callable[[Membership], APIClient],
    pingid_user: PingIDUser,
) -> None:
    client = api_for(auditor)
    url = f"/api/v1/users/{pingid_user.pk}/"
    calls = [
        ("post", "/api/v1/users/", {"username": "x"}),
        ("patch", url, {"first_name": "x"}),
        ("post", url + "suspend/", {"reason": "r"}),
        ("post", url + "activate/", {"reason": "r"}),
        ("post", url + "bypass/", {"until": "2030-01-01T00:00:00Z", "reason": "r"}),
        ("post", url + "resume-mfa/", {}),
        ("post", url + "remove/", {}),
        ("post", "/api/v1/users/bulk/", {"action": "remove", "user_ids": [1]}),
        ("get", "/api/v1/users/imports/1/", {}),
    ]

    for method, path, data in calls:
        response = getattr(client, method)(path, data, format="json")
        assert response.status_code == 403, path
        assert response.json()["code"] == "permission_denied"

    assert not ActivityEvent.objects.filter(action__startswith="user.").exists()


def test_other_organization_user_is_404(
    outsider: Membership,
    api_for: Callable[[Membership], APIClient],
    pingid_user: PingIDUser,
) -> None:
    response = api_for(outsider).post(
        f"/api/v1/users/{pingid_user.pk}/suspend/", {"reason": "r"}, format="json"
    )

    assert response.status_code == 404


def test_bulk_by_filter_and_job(
    global_admin: Membership,
    api_for: Callable[[Membership], APIClient],
    make_user: Callable[..., PingIDUser],
) -> None:
    make_user(username="bulk-a")
    make_user(username="bulk-b")
    make_user(username="keep")
    client = api_for(global_admin)

    response = client.post(
        "/api/v1/users/bulk/",
        {"action": "disable", "filter": "q=bulk", "reason": "Audit"},
        format="json",
    )

    assert response.status_code == 201
    job = response.json()
    assert job["status"] == "succeeded"
    assert job["total"] == 2
    shown = client.get(f"/api/v1/users/bulk/{job['id']}/").json()
    assert shown["processed"] == 2
    assert PingIDUser.objects.get(username="keep").status == UserStatus.ACTIVE


def test_import_preview_and_apply(
    help_desk: Membership, api_for: Callable[[Membership], APIClient]
) -> None:
    client = api_for(help_desk)
    upload = SimpleUploadedFile(
        "u.csv", b"username,email\nnew,new@example.com\nbad,x\n"
    )

    preview = client.post(
        "/api/v1/users/imports/", {"file": upload}, format="multipart"
    )
    applied = client.post(f"/api/v1/users/imports/{preview.json()['id']}/apply/")

    assert preview.status_code == 201
    assert [row["outcome"] for row in preview.json()["rows"]] == ["create", "error"]
    assert applied.status_code == 200
    assert applied.json()["status"] == "applied"
    assert PingIDUser.objects.filter(username="new").exists()


def test_schema_documents_user_endpoints(
    auditor: Membership, api_for: Callable[[Membership], APIClient]
) -> None:
    response = api_for(auditor).get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    text = response.content.decode()
    for path in [
        "/api/v1/users/",
        "/api/v1/users/{user_id}/bypass/",
        "/api/v1/users/{user_id}/resume-mfa/",
        "/api/v1/users/{user_id}/remove/",
        "/api/v1/users/bulk/",
        "/api/v1/users/imports/{import_id}/apply/",
    ]:
        assert path in text, path
