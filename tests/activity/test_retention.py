from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import time_machine

from accounts.models import Organization
from activity.chain import chain_verify
from activity.models import ActivityEvent, ChainHead
from activity.retention import events_purge
from activity.tasks import purge_expired_events

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_purge_deletes_only_expired_events_in_batches(
    organization: Organization,
    other_organization: Organization,
    record_auth: Callable[..., ActivityEvent],
) -> None:
    organization.activity_retention_days = 30
    organization.save()
    old = [
        record_auth(organization, occurred_at=NOW - timedelta(days=40, hours=-n))
        for n in range(7)
    ]
    kept = [
        record_auth(organization, occurred_at=NOW - timedelta(days=29, hours=-n))
        for n in range(3)
    ]
    foreign = record_auth(other_organization, occurred_at=NOW - timedelta(days=400))

    with time_machine.travel(NOW):
        deleted = events_purge(organization, batch_size=3)

    assert deleted == 7
    remaining = ActivityEvent.objects.filter(organization=organization)
    assert not remaining.filter(pk__in=[event.pk for event in old]).exists()
    assert set(
        remaining.filter(action="authentication.check").values_list("pk", flat=True)
    ) == {event.pk for event in kept}
    purge = remaining.get(action="activity.purge")
    assert purge.after is not None
    assert purge.after["deleted"] == 7
    assert purge.after["batches"] == 3
    assert ActivityEvent.objects.filter(pk=foreign.pk).exists()


def test_chain_verifies_after_purge(
    organization: Organization, record_auth: Callable[..., ActivityEvent]
) -> None:
    organization.activity_retention_days = 10
    organization.save()
    events = [
        record_auth(organization, occurred_at=NOW - timedelta(days=20 - n))
        for n in range(20)
    ]

    with time_machine.travel(NOW):
        assert events_purge(organization, batch_size=4) == 10
    head = ChainHead.objects.get(organization=organization)
    report = chain_verify(organization.pk)

    assert head.anchor_sequence == events[9].sequence
    assert head.anchor_hash == events[9].hash
    assert report.intact, report.problem
    assert report.events_checked == 11


def test_purge_stops_at_first_event_still_kept(
    organization: Organization, record_auth: Callable[..., ActivityEvent]
) -> None:
    organization.activity_retention_days = 10
    organization.save()
    first = record_auth(organization, occurred_at=NOW - timedelta(days=30))
    recent = record_auth(organization, occurred_at=NOW - timedelta(days=1))
    # Written later but dated earlier: it waits until the chain reaches it.
    late = record_auth(organization, occurred_at=NOW - timedelta(days=20))

    with time_machine.travel(NOW):
        assert purge_expired_events() == 1

    assert not ActivityEvent.objects.filter(pk=first.pk).exists()
    assert ActivityEvent.objects.filter(pk__in=[recent.pk, late.pk]).count() == 2
    assert chain_verify(organization.pk).intact


def test_purge_without_expired_events_records_nothing(
    organization: Organization, record_auth: Callable[..., ActivityEvent]
) -> None:
    record_auth(organization, occurred_at=NOW - timedelta(days=1))

    with time_machine.travel(NOW):
        assert events_purge(organization) == 0

    assert not ActivityEvent.objects.filter(action="activity.purge").exists()
