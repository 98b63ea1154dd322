"""Events of one organization written at the same moment by many connections.

On PostgreSQL the database computes each event's hash (`event_append`). These
tests check that it writes what `event_hash` computes, and that concurrent
writers leave one unbroken chain.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import Organization
from activity.chain import HASHED_FIELDS, chain_verify, event_hash
from activity.models import ActivityEvent, ChainHead
from activity.services import event_record
from pingid_portal import rows
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql(postgresql_database: None) -> None:
    pass


def _record(organization: Organization, **kwargs: object) -> ActivityEvent:
    return event_record(organization=organization, action="test.event", **kwargs)  # type: ignore[arg-type]


def test_database_hash_matches_python(organization: Organization) -> None:
    event = _record(
        organization,
        message='Zoë 山田 "quoted" \\ back',
        # A nested "sequence" key must not be mistaken for the event's own.
        after={"sequence": 0, "nested": {"sequence": "x"}},
        ip_address="2001:db8:0:0::1",
        reason="r" * 3000,
    )
    stored = ActivityEvent.objects.get(pk=event.pk)
    values = {name: getattr(stored, name) for name in HASHED_FIELDS}

    assert stored.sequence == 1
    assert stored.hash == event.hash
    assert stored.hash == event_hash(values, stored.previous_hash)
    assert stored.truncated_fields == ["reason"]


def test_head_keeps_previous_hash(organization: Organization) -> None:
    first = _record(organization)
    second = _record(organization)
    head = ChainHead.objects.get(organization=organization)

    assert second.previous_hash == first.hash
    assert head.last_hash == second.hash
    assert head.previous_hash == first.hash
    assert head.last_sequence == 2


def test_concurrent_writers_keep_one_chain(organization: Organization) -> None:
    def write_many() -> int:
        for number in range(25):
            with transaction.atomic(), rows.write_batch():
                _record(organization, message=f"event {number}")
        return 25

    results = run_together(*[write_many for _ in range(6)])

    assert results == [25] * 6
    report = chain_verify(organization.pk)
    assert report.intact, report.problem
    assert report.events_checked == 150
    assert ChainHead.objects.get(organization=organization).last_sequence == 150


def test_first_events_of_new_chain_concurrently(organization: Organization) -> None:
    results = run_together(*[lambda: _record(organization).sequence for _ in range(6)])

    assert sorted(results) == [1, 2, 3, 4, 5, 6]  # type: ignore[type-var]
    assert chain_verify(organization.pk).intact
