"""Integrity checks of the activity chain as queued tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import Membership, Organization
from activity.integrity import (
    integrity_check_request,
    integrity_check_run,
    integrity_checks_schedule,
)
from activity.models import ActivityEvent, IntegrityCheck, IntegrityCheckStatus
from pingid_portal.actors import Actor

pytestmark = pytest.mark.django_db


def test_request_queues_one_check(
    auditor: Membership, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    actor = Actor.for_membership(auditor)

    with django_capture_on_commit_callbacks() as callbacks:
        first = integrity_check_request(actor=actor)
        second = integrity_check_request(actor=actor)

    assert first.pk == second.pk
    assert first.status == IntegrityCheckStatus.QUEUED
    assert len(callbacks) == 1


def test_dead_check_is_replaced(
    auditor: Membership, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    actor = Actor.for_membership(auditor)
    with django_capture_on_commit_callbacks():
        dead = integrity_check_request(actor=actor)

    with (
        time_machine.travel(timedelta(hours=2)),
        django_capture_on_commit_callbacks(),
    ):
        fresh = integrity_check_request(actor=actor)

    assert fresh.pk != dead.pk


def test_run_stores_report_and_event(
    auditor: Membership, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks():
        check = integrity_check_request(actor=Actor.for_membership(auditor))

    finished = integrity_check_run(check.pk)
    again = integrity_check_run(check.pk)

    assert finished.status == IntegrityCheckStatus.INTACT
    assert finished.finished_at is not None
    assert again.finished_at == finished.finished_at
    event = ActivityEvent.objects.get(action="activity.integrity_check")
    assert event.outcome == "success"
    assert event.organization_id == auditor.organization_id


def test_schedule_queues_every_organization(
    organization: Organization,
    other_organization: Organization,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        queued = integrity_checks_schedule()

    assert queued == 2
    statuses = set(IntegrityCheck.objects.values_list("status", flat=True))
    assert statuses == {IntegrityCheckStatus.INTACT}


def test_page_polls_while_queued(
    auditor: Membership,
    client_for: Callable[[Membership], Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = client_for(auditor)

    with django_capture_on_commit_callbacks():
        client.post("/activity/integrity/")
    page = client.get("/activity/integrity/").content.decode()

    assert "Queued" in page
    assert 'hx-trigger="every 2s"' in page


def test_outsider_sees_no_other_checks(
    auditor: Membership,
    outsider: Membership,
    client_for: Callable[[Membership], Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        integrity_check_request(actor=Actor.for_membership(auditor))

    page = client_for(outsider).get("/activity/integrity/").content.decode()

    assert "No check has run yet." in page
