"""The dashboard's 15-minute authentication counts against the raw log.

Each bar is checked against an independent count of the raw events between
the bar's start and end, whatever the state of the rollup: never run, behind
(events written since, some with an old `occurred_at`), or current.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db.models import Sum

from accounts.models import Organization
from activity import dashboard
from activity.dashboard import PERIODS, Bar, Period, authentication_bars
from activity.models import (
    ActivityEvent,
    AuthenticationCount,
    AuthenticationCountWatermark,
    Category,
    Outcome,
)
from activity.retention import events_purge
from activity.rollup import (
    authentication_counts_update,
    bucket_start,
    counted_sequence,
)
from activity.services import event_record
from activity.tasks import update_authentication_counts
from pingid_portal.actors import Actor

# US daylight saving time ends on 2026-11-01 (01:00 to 02:00 local happens
# twice) and starts on 2026-03-08 (02:00 to 03:00 local does not exist).
FALL_BACK = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
SPRING_FORWARD = datetime(2026, 3, 8, 15, 0, tzinfo=UTC)
CASES = [
    ("UTC", FALL_BACK),
    ("America/New_York", FALL_BACK),
    ("America/New_York", SPRING_FORWARD),
    ("Asia/Kolkata", FALL_BACK),
    ("Asia/Kathmandu", FALL_BACK),
]
OUTCOMES = list(Outcome)

Record = Callable[..., ActivityEvent]


def bar_end(bar: Bar, period: Period) -> datetime:
    zone = bar.start.tzinfo
    return (bar.start.replace(tzinfo=None) + period.step).replace(tzinfo=zone)


def raw_counts(organization: Organization, bar: Bar, period: Period) -> dict[str, int]:
    """Count the raw authentication events of one bar, by outcome."""
    rows = (
        ActivityEvent.objects.filter(
            organization=organization,
            category=Category.AUTHENTICATION,
            occurred_at__gte=bar.start,
            occurred_at__lt=bar_end(bar, period),
        )
        .values_list("outcome", flat=True)
        .order_by()
    )
    return dict(Counter(rows))


def assert_bars_exact(
    organization: Organization, period: Period, now: datetime, zone: str
) -> int:
    """Assert that every bar equals the raw count; return the chart's total."""
    bars, tallest = authentication_bars(organization, period, now, zone)
    assert len(bars) == period.buckets
    for bar in bars:
        drawn = {segment.outcome: segment.count for segment in bar.segments}
        assert drawn == raw_counts(organization, bar, period), bar.label
        assert bar.total == sum(drawn.values()), bar.label
    assert tallest == max(bar.total for bar in bars)
    return sum(bar.total for bar in bars)


def edge_times(now: datetime, zone: str) -> list[datetime]:
    """Return moments on and next to the local hour and day starts before `now`."""
    local_now = now.astimezone(ZoneInfo(zone))
    moments = []
    for hours in range(0, 32 * 24, 7):
        start = (local_now - timedelta(hours=hours)).replace(
            minute=0, second=0, microsecond=0
        )
        moments += [start, start - timedelta(microseconds=1)]
    for days in range(0, 32, 3):
        midnight = (local_now - timedelta(days=days)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        moments += [midnight, midnight - timedelta(microseconds=1)]
    return moments


def write_events(
    record_auth: Record,
    organization: Organization,
    now: datetime,
    zone: str,
    seed: int,
    count: int = 60,
) -> None:
    """Write authentications at random times and at bar edges around `now`."""
    rng = random.Random(seed)
    moments = [
        now - timedelta(seconds=rng.uniform(-3600, 32 * 86400)) for _ in range(count)
    ]
    moments += rng.sample(edge_times(now, zone), 30)
    for moment in moments:
        record_auth(organization, occurred_at=moment, outcome=rng.choice(OUTCOMES))


def assert_counts_match_events(organization: Organization) -> None:
    """Assert the counts contain exactly the events up to the watermark."""
    counted = counted_sequence(organization)
    events = ActivityEvent.objects.filter(
        organization=organization,
        category=Category.AUTHENTICATION,
        sequence__lte=counted,
    )
    expected = Counter(
        (bucket_start(occurred_at), outcome)
        for occurred_at, outcome in events.values_list("occurred_at", "outcome")
    )
    stored = {
        (row.bucket_start, row.outcome): row.count
        for row in AuthenticationCount.objects.filter(organization=organization)
    }
    assert stored == dict(expected)


@pytest.mark.parametrize("period_name", ["day", "month"])
@pytest.mark.parametrize("state", ["not run", "behind", "current"])
@pytest.mark.parametrize(("zone", "now"), CASES)
def test_bars_match_raw_counts(
    organization: Organization,
    other_organization: Organization,
    record_auth: Record,
    period_name: str,
    state: str,
    zone: str,
    now: datetime,
) -> None:
    period = PERIODS[period_name]
    write_events(record_auth, organization, now, zone, seed=1)
    write_events(record_auth, other_organization, now, zone, seed=2, count=20)
    if state != "not run":
        authentication_counts_update(organization)
        authentication_counts_update(other_organization)
    # Written after the rollup: new events and late ones dated days back.
    write_events(record_auth, organization, now, zone, seed=3, count=30)
    if state == "current":
        authentication_counts_update(organization)

    total = assert_bars_exact(organization, period, now, zone)

    assert total > 0
    newest = ActivityEvent.objects.filter(organization=organization).count()
    if state == "not run":
        assert counted_sequence(organization) == 0
    elif state == "behind":
        assert 0 < counted_sequence(organization) < newest
    else:
        assert counted_sequence(organization) == newest
    assert_counts_match_events(organization)


def test_bars_read_the_counts(organization: Organization, record_auth: Record) -> None:
    now = FALL_BACK
    record_auth(organization, occurred_at=now - timedelta(hours=3), outcome="denied")
    authentication_counts_update(organization)
    # Changing a stored count changes the bar, so the chart reads the counts
    # and does not group the raw log again.
    AuthenticationCount.objects.filter(organization=organization).update(count=5)

    bars, _ = authentication_bars(organization, PERIODS["day"], now, "UTC")

    assert sum(bar.total for bar in bars) == 5


def test_late_event_counted_once(
    organization: Organization, record_auth: Record
) -> None:
    now = FALL_BACK
    zone = "Asia/Kathmandu"
    period = PERIODS["month"]
    write_events(record_auth, organization, now, zone, seed=4, count=20)
    authentication_counts_update(organization)
    counted = counted_sequence(organization)
    late_time = now - timedelta(days=6, minutes=7)
    late = record_auth(organization, occurred_at=late_time, outcome="timed_out")

    before = assert_bars_exact(organization, period, now, zone)
    authentication_counts_update(organization)
    after = assert_bars_exact(organization, period, now, zone)

    assert late.sequence == counted + 1
    assert counted_sequence(organization) == late.sequence
    assert before == after
    bucket = AuthenticationCount.objects.get(
        organization=organization,
        bucket_start=bucket_start(late_time),
        outcome="timed_out",
    )
    assert bucket.count >= 1
    assert_counts_match_events(organization)


def test_rollup_committed_during_read_is_not_counted_twice(
    organization: Organization, record_auth: Record, monkeypatch: Any
) -> None:
    now = FALL_BACK
    write_events(record_auth, organization, now, "UTC", seed=5, count=20)
    authentication_counts_update(organization)
    write_events(record_auth, organization, now, "UTC", seed=6, count=20)
    reads = []

    def read_then_roll_up(read_organization: Organization) -> int:
        # Another worker finishes a rollup right after the first read.
        reads.append(counted_sequence(read_organization))
        if len(reads) == 1:
            authentication_counts_update(read_organization)
        return reads[-1]

    monkeypatch.setattr(dashboard, "counted_sequence", read_then_roll_up)

    assert_bars_exact(organization, PERIODS["month"], now, "UTC")
    assert reads[0] < reads[1]
    assert len(reads) == 4


def test_rollup_is_idempotent(organization: Organization, record_auth: Record) -> None:
    write_events(record_auth, organization, FALL_BACK, "Asia/Kolkata", seed=7)
    covered = authentication_counts_update(organization)
    stored = list(
        AuthenticationCount.objects.order_by("bucket_start", "outcome").values_list(
            "bucket_start", "outcome", "count"
        )
    )

    again = authentication_counts_update(organization)

    assert covered == ActivityEvent.objects.filter(organization=organization).count()
    assert again == 0
    assert (
        list(
            AuthenticationCount.objects.order_by("bucket_start", "outcome").values_list(
                "bucket_start", "outcome", "count"
            )
        )
        == stored
    )
    assert_counts_match_events(organization)


def test_rollup_in_batches_matches_one_run(
    organization: Organization, other_organization: Organization, record_auth: Record
) -> None:
    write_events(record_auth, organization, FALL_BACK, "UTC", seed=8)
    write_events(record_auth, other_organization, FALL_BACK, "UTC", seed=8)
    authentication_counts_update(organization, batch_size=7)
    authentication_counts_update(other_organization)

    batched = dict(
        AuthenticationCount.objects.filter(organization=organization)
        .values_list("bucket_start", "outcome")
        .annotate(total=Sum("count"))
        .values_list("bucket_start", "total")
    )
    single = dict(
        AuthenticationCount.objects.filter(organization=other_organization)
        .values_list("bucket_start", "outcome")
        .annotate(total=Sum("count"))
        .values_list("bucket_start", "total")
    )

    assert batched == single
    assert_counts_match_events(organization)
    assert_counts_match_events(other_organization)


def test_rollup_skips_other_categories(
    organization: Organization, record_auth: Record
) -> None:
    event_record(
        actor=Actor.system(organization, "tests"),
        action="user.update",
        occurred_at=FALL_BACK,
    )
    record_auth(organization, occurred_at=FALL_BACK)

    authentication_counts_update(organization)

    assert counted_sequence(organization) == 2
    assert AuthenticationCount.objects.get(organization=organization).count == 1


def test_task_updates_every_organization(
    organization: Organization, other_organization: Organization, record_auth: Record
) -> None:
    record_auth(organization, occurred_at=FALL_BACK)
    record_auth(other_organization, occurred_at=FALL_BACK)
    record_auth(other_organization, occurred_at=FALL_BACK)

    covered = update_authentication_counts.delay().get()

    assert covered == 3
    assert counted_sequence(organization) == 1
    assert counted_sequence(other_organization) == 2
    schedule = settings.CELERY_BEAT_SCHEDULE["activity-update-authentication-counts"]
    assert schedule["task"] == "activity.tasks.update_authentication_counts"


@pytest.mark.parametrize("rolled_up", [True, False])
def test_purge_keeps_counts_exact(
    organization: Organization, record_auth: Record, rolled_up: bool
) -> None:
    now = FALL_BACK
    zone = "America/New_York"
    organization.activity_retention_days = 10
    organization.save()
    write_events(record_auth, organization, now, zone, seed=9)
    # Expired but written after a kept event: the purge stops before it.
    record_auth(organization, occurred_at=now - timedelta(days=20), outcome="denied")
    if rolled_up:
        authentication_counts_update(organization)

    with time_machine.travel(now):
        deleted = events_purge(organization, batch_size=9)
    authentication_counts_update(organization)

    assert deleted > 0
    assert (
        ActivityEvent.objects.filter(
            organization=organization, occurred_at__lt=now - timedelta(days=10)
        ).count()
        > 0
    )
    assert_counts_match_events(organization)
    assert_bars_exact(organization, PERIODS["month"], now, zone)
    assert not AuthenticationCount.objects.filter(count__lte=0).exists()


def test_offset_with_seconds_falls_back_to_raw_log(
    organization: Organization, record_auth: Record
) -> None:
    # Liberia was 44 minutes 30 seconds behind UTC until 1972, so its local
    # hours started in the middle of a bucket.
    now = datetime(1971, 6, 1, 12, 0, tzinfo=UTC)
    zone = "Africa/Monrovia"
    write_events(record_auth, organization, now, zone, seed=10, count=40)
    local_now = now.astimezone(ZoneInfo(zone))
    for hours in range(24):
        # The first instant of each local hour lies in a bucket that started
        # in the previous local hour.
        start = (local_now - timedelta(hours=hours)).replace(
            minute=0, second=0, microsecond=0
        )
        record_auth(organization, occurred_at=start, outcome="failure")
    authentication_counts_update(organization)

    total = assert_bars_exact(organization, PERIODS["day"], now, zone)

    assert total > 0
    assert AuthenticationCountWatermark.objects.get(organization=organization)
