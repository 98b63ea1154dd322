from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Organization
from activity.models import ActivityEvent
from pingid_portal.actors import Actor
from tests.factories import PingIDUserFactory
from users import bulk
from users.bulk import bulk_job_create, bulk_job_run, bulk_parameters
from users.models import JobStatus, PingIDUser, UserBulkJob, UserStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def make_users(
    organization: Organization, count: int, **kwargs: object
) -> list[PingIDUser]:
    return [
        PingIDUserFactory(
            organization=organization, username=f"bulk{index:04}", **kwargs
        )
        for index in range(count)
    ]


def test_bulk_disable_selected_rows(
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
    organization: Organization,
) -> None:
    users = make_users(organization, 3)
    client = client_for(help_desk)
    selection = {"action": "disable", "user": [users[0].pk, users[2].pk]}

    confirm = client.post(reverse("users:bulk"), selection)
    assert "Disable: 2 users" in confirm.content.decode()
    done = client.post(
        reverse("users:bulk"), {**selection, "step": "confirm", "reason": "Audit"}
    )

    job = UserBulkJob.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("users:bulk_job_detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED
    statuses = [PingIDUser.objects.get(pk=user.pk).status for user in users]
    assert statuses == [UserStatus.SUSPENDED, UserStatus.ACTIVE, UserStatus.SUSPENDED]
    assert ActivityEvent.objects.filter(action="user.suspend").count() == 2


def test_bulk_confirm_without_users_changes_nothing(
    help_desk: Membership, client_for: Callable[[Membership], Client]
) -> None:
    response = client_for(help_desk).post(
        reverse("users:bulk"),
        {"action": "disable", "user": ["999999"], "step": "confirm", "reason": "r"},
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert "No user selected: go back, tick users" in page
    assert "user_ids" not in page
    assert not UserBulkJob.objects.exists()


def test_bulk_all_matching_filter_lists_failures(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    organization: Organization,
) -> None:
    make_users(organization, 4)
    already = PingIDUserFactory(
        organization=organization, username="bulk-already", status=UserStatus.SUSPENDED
    )
    PingIDUserFactory(organization=organization, username="other")

    response = client_for(global_admin).post(
        reverse("users:bulk"),
        {
            "action": "disable",
            "all_matching": "1",
            "filter": "q=bulk",
            "step": "confirm",
            "reason": "Contract ended",
        },
        follow=True,
    )

    job = UserBulkJob.objects.get()
    assert job.total == 5
    assert job.succeeded == 4
    assert job.status == JobStatus.FINISHED_WITH_FAILURES
    assert job.failures[0]["user_id"] == already.pk
    assert "already disabled" in job.failures[0]["message"]
    assert "already disabled" in response.content.decode()
    assert PingIDUser.objects.get(username="other").status == UserStatus.ACTIVE


def test_bulk_requires_reason(
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
    organization: Organization,
) -> None:
    [user] = make_users(organization, 1)

    response = client_for(help_desk).post(
        reverse("users:bulk"),
        {"action": "disable", "user": [user.pk], "step": "confirm", "reason": ""},
    )

    assert response.status_code == 200
    assert "Reason is missing" in response.content.decode()
    assert not UserBulkJob.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_bulk_bypass_respects_help_desk_cap(
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
    organization: Organization,
) -> None:
    users = make_users(organization, 2)
    client = client_for(help_desk)
    base = {"action": "bypass", "user": [user.pk for user in users], "step": "confirm"}

    refused = client.post(
        reverse("users:bulk"),
        {**base, "duration": "until", "until_local": "2026-06-09T12:00", "reason": "r"},
    )
    allowed = client.post(
        reverse("users:bulk"), {**base, "duration": "1d", "reason": "r"}
    )

    assert refused.status_code == 200
    assert "at most 72 hours" in refused.content.decode()
    assert allowed.status_code == 302
    for user in users:
        row = user.services.get(service="web")
        assert row.bypass_until == NOW + timedelta(days=1)


def test_large_job_runs_in_celery_with_progress(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    organization: Organization,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    users = make_users(organization, 12)
    actor = Actor.for_membership(global_admin)
    parameters = bulk_parameters(actor=actor, action="remove", reason="Cleanup")

    with (
        mock.patch.object(bulk, "BULK_SYNC_LIMIT", 10),
        mock.patch.object(bulk, "PROGRESS_EVERY", 5),
        django_capture_on_commit_callbacks(execute=True),  # type: ignore[operator]
    ):
        job = bulk_job_create(
            actor=actor,
            action="remove",
            user_ids=[user.pk for user in users],
            parameters=parameters,
        )

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.processed == 12
    assert not PingIDUser.objects.exists()
    assert ActivityEvent.objects.filter(action="user.remove").count() == 12
    progress = client_for(global_admin).get(
        reverse("users:bulk_job_detail", args=[job.pk]), HTTP_HX_REQUEST="true"
    )
    body = progress.content.decode()
    assert "12 of 12 processed" in body
    assert "every 1s" not in body


def test_running_job_partial_polls(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    organization: Organization,
) -> None:
    job = UserBulkJob.objects.create(
        organization=organization,
        requested_by=global_admin.user,
        requested_by_display="x",
        action="disable",
        total=400,
        processed=100,
        status=JobStatus.RUNNING,
    )

    response = client_for(global_admin).get(
        reverse("users:bulk_job_detail", args=[job.pk]), HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert 'data-width-percent="25"' in body


def test_job_runs_only_once(
    global_admin: Membership, organization: Organization
) -> None:
    users = make_users(organization, 2)
    actor = Actor.for_membership(global_admin)
    job = bulk_job_create(
        actor=actor,
        action="disable",
        user_ids=[user.pk for user in users],
        parameters=bulk_parameters(actor=actor, action="disable", reason="r"),
    )

    bulk_job_run(job.pk)
    again = bulk_job_run(job.pk)

    assert again.status == JobStatus.SUCCEEDED
    assert ActivityEvent.objects.filter(action="user.suspend").count() == 2


def test_job_of_removed_administrator_fails_cleanly(
    global_admin: Membership, organization: Organization
) -> None:
    users = make_users(organization, 1)
    actor = Actor.for_membership(global_admin)
    job = bulk_job_create(
        actor=actor,
        action="disable",
        user_ids=[users[0].pk],
        parameters=bulk_parameters(actor=actor, action="disable", reason="r"),
    )
    global_admin.user.is_active = False
    global_admin.user.save()

    job = bulk_job_run(job.pk)

    assert job.status == JobStatus.FAILED
    assert "disabled" in job.error
    assert PingIDUser.objects.get().status == UserStatus.ACTIVE


@time_machine.travel(NOW, tick=False)
def test_bulk_bypass_review_shows_utc_instant(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    organization: Organization,
) -> None:
    global_admin.time_zone = "America/New_York"
    global_admin.save()
    users = make_users(organization, 2)

    response = client_for(global_admin).post(
        reverse("users:bulk"),
        {
            "action": "bypass",
            "user": [user.pk for user in users],
            "duration": "until",
            "until_local": "2026-06-01T20:00",
            "reason": "Outage",
            "step": "review",
        },
    )

    body = response.content.decode()
    assert "20:00 EDT" in body
    assert "2026-06-02 00:00 UTC" in body
    assert not UserBulkJob.objects.exists()
