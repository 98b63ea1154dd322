"""Authentication counts while writers, rollups, purges and readers overlap.

PostgreSQL only: each thread has its own connection and real row locks.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import Organization
from activity.dashboard import PERIODS, authentication_bars
from activity.models import ActivityEvent, AuthenticationCount, Category
from activity.retention import events_purge
from activity.rollup import authentication_counts_update, bucket_start, counted_sequence
from activity.services import event_record
from pingid_portal.actors import Actor
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _postgresql(postgresql_database: None) -> None:
    pass


def _authenticate(organization: Organization, occurred_at: datetime) -> None:
    event_record(
        actor=Actor.system(organization, "settings file 7"),
        category=Category.AUTHENTICATION,
        action="authentication.check",
        outcome="failure",
        occurred_at=occurred_at,
    )


def _stored_counts(organization: Organization) -> dict[tuple[datetime, str], int]:
    return {
        (row.bucket_start, row.outcome): row.count
        for row in AuthenticationCount.objects.filter(organization=organization)
    }


def _expected_counts(organization: Organization) -> dict[tuple[datetime, str], int]:
    events = ActivityEvent.objects.filter(
        organization=organization,
        category=Category.AUTHENTICATION,
        sequence__lte=counted_sequence(organization),
    )
    return dict(
        Counter(
            (bucket_start(occurred_at), outcome)
            for occurred_at, outcome in events.values_list("occurred_at", "outcome")
        )
    )


def test_concurrent_rollups_count_each_event_once(organization: Organization) -> None:
    def write_many() -> int:
        for number in range(40):
            # Every third event is late: dated days before the others.
            days = 5 if number % 3 == 0 else 0
            _authenticate(organization, NOW - timedelta(days=days, minutes=number))
        return 40

    def roll_up_many() -> int:
        return sum(authentication_counts_update(organization) for _ in range(15))

    def read_many() -> list[int]:
        return [
            sum(
                bar.total
                for bar in authentication_bars(
                    organization, PERIODS["month"], NOW, "Asia/Kathmandu"
                )[0]
            )
            for _ in range(15)
        ]

    results = run_together(
        write_many, write_many, roll_up_many, roll_up_many, read_many
    )

    assert not [result for result in results if isinstance(result, Exception)]
    totals = results[4]
    assert isinstance(totals, list)
    # Events only arrive, so each read shows at least as many as the last.
    assert totals == sorted(totals)
    assert totals[-1] <= 80
    authentication_counts_update(organization)
    assert counted_sequence(organization) == 80
    assert _stored_counts(organization) == _expected_counts(organization)
    bars, _ = authentication_bars(organization, PERIODS["month"], NOW, "Asia/Kathmandu")
    assert sum(bar.total for bar in bars) == 80


def test_purge_during_rollups_keeps_counts_exact(organization: Organization) -> None:
    organization.activity_retention_days = 10
    organization.save()
    for number in range(60):
        _authenticate(organization, NOW - timedelta(days=20, hours=-number))
    for number in range(20):
        _authenticate(organization, NOW - timedelta(days=1, minutes=number))

    def purge() -> int:
        with time_machine.travel(NOW, tick=False):
            return events_purge(organization, batch_size=7)

    def roll_up_many() -> int:
        return sum(
            authentication_counts_update(organization, batch_size=5) for _ in range(10)
        )

    results = run_together(purge, roll_up_many, roll_up_many)

    assert not [result for result in results if isinstance(result, Exception)]
    assert results[0] == 60
    authentication_counts_update(organization)
    assert _stored_counts(organization) == _expected_counts(organization)
    assert sum(_stored_counts(organization).values()) == 20
