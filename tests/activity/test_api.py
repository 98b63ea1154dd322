from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from accounts.models import Membership
from activity.models import ActivityEvent, Export, ExportStatus


def _api(membership: Membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def test_event_list_filters_and_pages_by_cursor(
    auditor: Membership, record_auth: Callable[..., ActivityEvent]
) -> None:
    organization = auditor.organization
    failures = [record_auth(organization, outcome="failure") for _ in range(5)]
    record_auth(organization, outcome="success")
    client = _api(auditor)

    first = client.get(
        "/api/v1/activity/events/", {"outcome": "failure", "page_size": 3}
    )
    second = client.get(first.json()["next"])

    ids = [item["id"] for item in first.json()["results"] + second.json()["results"]]
    assert first.status_code == 200
    assert ids == [event.pk for event in reversed(failures)]
    assert second.json()["next"] is None
    assert first.json()["results"][0]["hash"] == failures[-1].hash


def test_event_list_invalid_filter_uses_envelope(auditor: Membership) -> None:
    response = _api(auditor).get(
        "/api/v1/activity/events/", {"ip": "bad", "outcome": "x"}
    )

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert body["fields"]["ip"] == ["Enter a valid IPv4 or IPv6 address."]
    assert "outcome" in body["fields"]


def test_event_list_hides_other_organizations(
    outsider: Membership, auditor: Membership, record_auth: Callable[..., ActivityEvent]
) -> None:
    record_auth(auditor.organization)

    response = _api(outsider).get(
        "/api/v1/activity/events/", {"category": "authentication"}
    )

    assert response.json()["results"] == []


def test_export_create_status_and_download(
    auditor: Membership,
    record_auth: Callable[..., ActivityEvent],
    export_storage: Path,
) -> None:
    failure = record_auth(auditor.organization, outcome="failure", reason="=cmd")
    record_auth(auditor.organization, outcome="success")
    client = _api(auditor)

    with TestCase.captureOnCommitCallbacks(execute=True):
        created = client.post(
            "/api/v1/activity/exports/",
            {"format": "csv", "filter": {"outcome": ["failure"]}},
            format="json",
        )
    export_id = created.json()["id"]
    detail = client.get(f"/api/v1/activity/exports/{export_id}/").json()
    download = client.get(detail["download_url"])
    content = b"".join(download.streaming_content).decode()  # type: ignore[attr-defined]

    assert created.status_code == 202
    assert created.json()["total_estimate"] == 1
    assert detail["status"] == ExportStatus.SUCCEEDED
    assert detail["rows_written"] == 1
    assert download.status_code == 200
    assert content.splitlines()[1].startswith(f"{failure.pk},")
    assert "'=cmd" in content


def test_export_create_rejects_unknown_filter(
    auditor: Membership, export_storage: Path
) -> None:
    response = _api(auditor).post(
        "/api/v1/activity/exports/",
        {"format": "csv", "filter": {"colour": "red"}},
        format="json",
    )

    assert response.status_code == 400
    assert "Unknown filter colour" in response.json()["fields"]["filter"][0]
    assert not Export.objects.exists()


def test_export_endpoints_need_export_permission(
    help_desk: Membership, export_storage: Path
) -> None:
    client = _api(help_desk)

    assert (
        client.post(
            "/api/v1/activity/exports/", {"format": "csv"}, format="json"
        ).status_code
        == 403
    )
    assert client.get("/api/v1/activity/exports/").status_code == 403


def test_export_of_other_organization_is_not_found(
    auditor: Membership, outsider: Membership, export_storage: Path
) -> None:
    export = Export.objects.create(
        organization=auditor.organization, requester_display="x", format="csv"
    )

    response = _api(outsider).get(f"/api/v1/activity/exports/{export.pk}/download/")

    assert response.status_code == 404


def test_schema_documents_activity_endpoints(auditor: Membership) -> None:
    schema: dict[str, Any] = (
        _api(auditor).get("/api/v1/schema/", {"format": "json"}).json()
    )

    paths = schema["paths"]
    parameters = {
        item["name"] for item in paths["/api/v1/activity/events/"]["get"]["parameters"]
    }
    assert {"since", "until", "outcome", "service", "ip", "q", "cursor"} <= parameters
    assert "post" in paths["/api/v1/activity/exports/"]
    assert "/api/v1/activity/exports/{export_id}/download/" in paths


@pytest.mark.parametrize(
    ("name", "value"),
    [("since", "0001-01-01T00:00:00+05:00"), ("until", "9999-12-31T23:59:59-05:00")],
)
def test_event_list_time_outside_utc_range(
    auditor: Membership, name: str, value: str
) -> None:
    response = _api(auditor).get("/api/v1/activity/events/", {name: value})

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert "between 0001-01-01 and 9999-12-31" in body["fields"][name][0]


def test_export_create_time_outside_utc_range(
    auditor: Membership, export_storage: Path
) -> None:
    response = _api(auditor).post(
        "/api/v1/activity/exports/",
        {"format": "csv", "filter": {"since": "0001-01-01T00:00:00+05:00"}},
        format="json",
    )

    body = response.json()
    assert response.status_code == 400
    assert "between 0001-01-01 and 9999-12-31" in body["fields"]["filter.since"][0]
    assert not Export.objects.exists()
