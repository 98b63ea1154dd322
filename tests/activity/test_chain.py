from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from accounts.models import Membership, Organization
from activity.chain import chain_verify
from activity.models import ActivityEvent, ChainHead
from activity.services import event_record
from tests.factories import PingIDUserFactory


def test_chain_links_events_in_order(
    organization: Organization, record_auth: Callable[..., ActivityEvent]
) -> None:
    first = record_auth(organization, ip_address="2001:db8:0:0::1")
    second = record_auth(organization, reason='wrong OTP "x"', outcome="failure")

    assert first.sequence == 1
    assert first.previous_hash == ""
    assert second.sequence == 2
    assert second.previous_hash == first.hash
    assert ChainHead.objects.get(organization=organization).last_hash == second.hash


def test_chain_verifies_untouched_data(
    organization: Organization,
    other_organization: Organization,
    record_auth: Callable[..., ActivityEvent],
) -> None:
    user = PingIDUserFactory(organization=organization, username="Zoë 山田")
    for number in range(5):
        record_auth(
            organization,
            pingid_user=user,
            ip_address="198.51.100.7",
            message=f"täst {number}",
            before={"b": 1.5, "a": [1, "x"]},
        )
    record_auth(other_organization)
    event_record(action="administrator.sign_in", outcome="failure", message="unknown")

    report = chain_verify(organization.pk)
    no_organization = chain_verify(None)

    assert report.intact, report.problem
    assert report.events_checked == 5
    assert no_organization.intact
    assert no_organization.events_checked == 1
    assert chain_verify(other_organization.pk).intact


def _raw_update(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_names_event_altered_in_database(
    organization: Organization, record_auth: Callable[..., ActivityEvent]
) -> None:
    events = [record_auth(organization) for _ in range(4)]
    altered = events[2]
    _raw_update(
        "UPDATE activity_activityevent SET outcome = 'success', reason = 'edited' "
        "WHERE id = %s",
        [altered.pk],
    )

    report = chain_verify(organization.pk)

    assert not report.intact
    assert report.broken_event_id == altered.pk
    assert report.broken_sequence == 3
    assert "changed" in report.problem


def test_verify_names_event_after_deleted_one(
    organization: Organization, record_auth: Callable[..., ActivityEvent]
) -> None:
    events = [record_auth(organization) for _ in range(4)]
    _raw_update("DELETE FROM activity_activityevent WHERE id = %s", [events[1].pk])

    report = chain_verify(organization.pk)

    assert report.broken_event_id == events[2].pk
    assert "removed" in report.problem


def test_verify_detects_removed_newest_event(
    organization: Organization, record_auth: Callable[..., ActivityEvent]
) -> None:
    events = [record_auth(organization) for _ in range(3)]
    _raw_update("DELETE FROM activity_activityevent WHERE id = %s", [events[2].pk])

    report = chain_verify(organization.pk)

    assert not report.intact
    assert report.broken_event_id is None
    assert "newest events were removed" in report.problem


def test_verify_command_reports_intact_and_broken(
    organization: Organization, record_auth: Callable[..., ActivityEvent]
) -> None:
    events = [record_auth(organization) for _ in range(2)]
    output = io.StringIO()
    call_command(
        "verify_activity", organization=str(organization.org_alias), stdout=output
    )
    assert "intact, 2 events" in output.getvalue()

    _raw_update(
        "UPDATE activity_activityevent SET message = 'x' WHERE id = %s", [events[0].pk]
    )
    output = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_activity", stdout=output)
    assert f"event {events[0].pk}" in output.getvalue()


def test_verify_command_rejects_unknown_alias(db: None) -> None:
    with pytest.raises(CommandError, match="No organization has the alias"):
        call_command("verify_activity", organization="not-a-uuid")


def test_integrity_page_names_broken_event(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    record_auth: Callable[..., ActivityEvent],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    events = [record_auth(global_admin.organization) for _ in range(3)]
    client = client_for(global_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/activity/integrity/")
    first = client.get("/activity/integrity/").content.decode()
    assert "Intact: all" in first

    _raw_update(
        "UPDATE activity_activityevent SET actor_display = 'someone else' WHERE id = %s",
        [events[1].pk],
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/activity/integrity/")
    page = client.get("/activity/integrity/").content.decode()

    assert "Broken" in page
    assert f"event {events[1].pk}" in page
    assert "Earlier checks" in page
    recorded = ActivityEvent.objects.filter(action="activity.integrity_check")
    assert [event.outcome for event in recorded.order_by("id")] == [
        "success",
        "failure",
    ]
