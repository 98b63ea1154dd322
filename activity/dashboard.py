"""Dashboard figures and their server-rendered SVG charts.

Charts are plain SVG built here and drawn by templates/dashboard.html: fills
are SVG patterns referenced by presentation attributes, every series has a
text legend, and every bar names its count in text and in a <title>, so the
charts read without colour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db.models import Aggregate, Count, QuerySet, Sum
from django.db.models.functions import Trunc
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from activity.models import ActivityEvent, AuthenticationCount, Category, Outcome
from activity.rollup import bucket_start, counted_sequence
from devices.models import Device, DeviceType
from users.models import PingIDUser, UserService, UserStatus, bypass_active_q

# Stacking order of results, bottom first, and the pattern each one is drawn with.
OUTCOME_ORDER = [
    Outcome.SUCCESS,
    Outcome.BYPASSED,
    Outcome.FAILURE,
    Outcome.DENIED,
    Outcome.TIMED_OUT,
]
FAILED_OUTCOMES = [Outcome.FAILURE, Outcome.DENIED, Outcome.TIMED_OUT]
CHART_WIDTH = 720
CHART_HEIGHT = 200
BAR_ROW_HEIGHT = 26
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
# Reads of the authentication counts before the chart falls back to the raw
# log. A retry means that a rollup committed during the previous read.
READ_ATTEMPTS = 3


@dataclass(frozen=True)
class Period:
    name: str
    label: str
    kind: str  # Trunc kind of one bucket
    buckets: int
    step: timedelta


PERIODS = {
    "day": Period("day", "Last 24 hours, per hour", "hour", 24, timedelta(hours=1)),
    "month": Period("month", "Last 30 days, per day", "day", 30, timedelta(days=1)),
}


@dataclass
class Segment:
    outcome: str
    label: str
    count: int
    y: float = 0
    height: float = 0


@dataclass
class Bar:
    start: datetime
    label: str
    href: str
    x: float
    width: float
    total: int = 0
    segments: list[Segment] = field(default_factory=list)

    @property
    def title(self) -> str:
        parts = [f"{segment.label} {segment.count}" for segment in self.segments]
        return f"{self.label}: {self.total} authentications ({', '.join(parts)})"


@dataclass
class HorizontalBar:
    label: str
    count: int
    href: str
    y: float
    width: float


def _activity_url(**params: str | list[str]) -> str:
    return f"{reverse('activity:event_list')}?{urlencode(params, doseq=True)}"


def _bucket_starts(period: Period, now: datetime, zone: ZoneInfo) -> list[datetime]:
    local_now = now.astimezone(zone)
    if period.kind == "hour":
        last = local_now.replace(minute=0, second=0, microsecond=0)
    else:
        last = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = []
    for index in range(period.buckets - 1, -1, -1):
        # Stepping in local wall time keeps days whole across DST changes.
        naive = last.replace(tzinfo=None) - period.step * index
        starts.append(naive.replace(tzinfo=zone))
    return starts


def _grouped(
    queryset: QuerySet[Any],
    time_field: str,
    count: Aggregate,
    period: Period,
    zone: ZoneInfo,
) -> QuerySet[Any]:
    """Group rows by local bar start and outcome, as (bucket, outcome, count)."""
    return (
        queryset.annotate(bucket=Trunc(time_field, period.kind, tzinfo=zone))
        .values("bucket", "outcome")
        .annotate(count=count)
        .order_by()
    )


def _raw_rows(
    organization: Organization,
    period: Period,
    zone: ZoneInfo,
    since: datetime,
    above_sequence: int = 0,
) -> QuerySet[Any]:
    """Group the raw authentication events since `since` above a sequence (0: all)."""
    events = ActivityEvent.objects.for_organization(organization).filter(
        category=Category.AUTHENTICATION, occurred_at__gte=since
    )
    if above_sequence:
        events = events.filter(sequence__gt=above_sequence)
    return _grouped(events, "occurred_at", Count("id"), period, zone)


def _counted_rows(
    organization: Organization, period: Period, zone: ZoneInfo, since: datetime
) -> QuerySet[Any]:
    """Group the pre-computed 15-minute counts since `since`."""
    counts = AuthenticationCount.objects.for_organization(organization).filter(
        bucket_start__gte=since
    )
    return _grouped(counts, "bucket_start", Sum("count"), period, zone)


def _whole_buckets(starts: list[datetime], period: Period) -> bool:
    """Return whether every bar starts and ends on a 15-minute UTC boundary.

    True in every zone in use today. Zones whose offset once had seconds or
    odd minutes (local mean time before about 1970) fail it for past dates.
    """
    end = (starts[-1].replace(tzinfo=None) + period.step).replace(
        tzinfo=starts[0].tzinfo
    )
    return all(moment == bucket_start(moment) for moment in [*starts, end])


def _authentication_rows(
    organization: Organization, period: Period, zone: ZoneInfo, starts: list[datetime]
) -> list[dict[str, Any]]:
    """Return (bucket, outcome, count) rows of the bars, exact at any rollup state.

    The pre-computed counts contain the events up to the watermark and the raw
    part counts those above it, in one statement so that both see one
    snapshot. A rollup that commits between reading the watermark and that
    statement would count its range twice, so the watermark is read again
    and the read repeated if it moved.
    """
    since = starts[0]
    if _whole_buckets(starts, period):
        for _ in range(READ_ATTEMPTS):
            counted = counted_sequence(organization)
            if not counted:
                break
            rows = list(
                _raw_rows(organization, period, zone, since, counted).union(
                    _counted_rows(organization, period, zone, since), all=True
                )
            )
            if counted_sequence(organization) == counted:
                return rows
    return list(_raw_rows(organization, period, zone, since))


def authentication_bars(
    organization: Organization, period: Period, now: datetime, time_zone: str
) -> tuple[list[Bar], int]:
    """Return one stacked bar per bucket and the tallest bar's total."""
    zone = ZoneInfo(time_zone)
    starts = _bucket_starts(period, now, zone)
    counts: dict[tuple[str, str], int] = {}
    for row in _authentication_rows(organization, period, zone, starts):
        key = (row["bucket"].astimezone(zone).strftime(LOCAL_FORMAT), row["outcome"])
        counts[key] = counts.get(key, 0) + row["count"]

    slot = CHART_WIDTH / len(starts)
    bars = []
    for index, start in enumerate(starts):
        end = (start.replace(tzinfo=None) + period.step).replace(tzinfo=zone)
        local = start.strftime(LOCAL_FORMAT)
        label = start.strftime("%H:%M" if period.kind == "hour" else "%b %d")
        bar = Bar(
            start=start,
            label=label,
            href=_activity_url(
                category=Category.AUTHENTICATION,
                since=local,
                until=end.strftime(LOCAL_FORMAT),
            ),
            x=index * slot + 2,
            width=max(slot - 4, 2),
        )
        for outcome in OUTCOME_ORDER:
            count = counts.get((local, outcome), 0)
            if count:
                bar.segments.append(Segment(outcome, outcome.label, count))
                bar.total += count
        bars.append(bar)

    tallest = max((bar.total for bar in bars), default=0)
    for bar in bars:
        base = float(CHART_HEIGHT)
        for segment in bar.segments:
            segment.height = segment.count * CHART_HEIGHT / tallest
            base -= segment.height
            segment.y = base
    return bars, tallest


def _horizontal_bars(items: list[tuple[str, int, str]]) -> list[HorizontalBar]:
    tallest = max((count for _, count, _ in items), default=0) or 1
    return [
        HorizontalBar(label, count, href, index * BAR_ROW_HEIGHT, count * 360 / tallest)
        for index, (label, count, href) in enumerate(items)
    ]


def users_by_status(organization: Organization) -> list[HorizontalBar]:
    counts = dict(
        PingIDUser.objects.filter(organization=organization)
        .values_list("status")
        .annotate(count=Count("id"))
        .order_by()
    )
    users_url = reverse("users:user_list")
    items = [
        (
            status.label,
            counts.get(status.value, 0),
            f"{users_url}?status={status.value}",
        )
        for status in UserStatus
    ]
    return _horizontal_bars(items)


def devices_by_type(organization: Organization) -> list[HorizontalBar]:
    counts = dict(
        Device.objects.filter(organization=organization)
        .values_list("type")
        .annotate(count=Count("id"))
        .order_by()
    )
    devices_url = reverse("devices:device_list")
    items = [
        (
            kind.label,
            counts[kind.value],
            f"{devices_url}?{urlencode({'type': kind.value})}",
        )
        for kind in DeviceType
        if counts.get(kind.value)
    ]
    return _horizontal_bars(items)


def bypassed_now(
    organization: Organization, now: datetime, limit: int = 10
) -> list[UserService]:
    """Return up to `limit` services in bypass right now, soonest end first."""
    return list(
        UserService.objects.filter(
            bypass_active_q(now), user__organization=organization
        )
        .select_related("user")
        .order_by("bypass_unlimited", "bypass_until", "id")[:limit]
    )


def bypassed_user_count(organization: Organization, now: datetime) -> int:
    return (
        PingIDUser.objects.filter(organization=organization)
        .filter(bypass_active_q(now, prefix="services__"))
        .distinct()
        .count()
    )


# NOTE: this groups the period's raw failures by PingID user on every request,
# which takes about 200 ms of the 30-day dashboard on a 10-million-event log
# (docs/benchmarks.md, "Dashboard with authentication counts").
def users_with_most_failures(
    organization: Organization, since: datetime, limit: int = 10
) -> list[dict[str, object]]:
    """Return the PingID users with the most failed authentications since `since`."""
    rows = (
        ActivityEvent.objects.filter(
            organization=organization,
            category=Category.AUTHENTICATION,
            outcome__in=FAILED_OUTCOMES,
            occurred_at__gte=since,
            pingid_user_id__isnull=False,
        )
        .values("pingid_user_id", "pingid_username")
        .annotate(failures=Count("id"))
        .order_by("-failures", "pingid_username")[:limit]
    )
    return [
        {
            **row,
            "href": reverse("activity:user_timeline", args=[row["pingid_user_id"]])
            + "?"
            + urlencode({"outcome": FAILED_OUTCOMES}, doseq=True),
        }
        for row in rows
    ]


def failure_rate(bars: list[Bar]) -> tuple[int, int, float | None]:
    """Return (failed, total, percent failed) over the bars; percent is None without data."""
    total = sum(bar.total for bar in bars)
    failed = sum(
        segment.count
        for bar in bars
        for segment in bar.segments
        if segment.outcome in FAILED_OUTCOMES
    )
    return failed, total, (failed * 100 / total if total else None)


def dashboard_context(
    organization: Organization, period_name: str, time_zone: str
) -> dict[str, object]:
    now = timezone.now()
    period = PERIODS.get(period_name, PERIODS["day"])
    bars, tallest = authentication_bars(organization, period, now, time_zone)
    failed, total, rate = failure_rate(bars)
    since = bars[0].start
    local_since = since.strftime(LOCAL_FORMAT)
    statuses = users_by_status(organization)
    device_types = devices_by_type(organization)
    return {
        "period": period,
        "periods": PERIODS.values(),
        "bars": bars,
        "tallest": tallest,
        "outcomes": [(outcome.value, outcome.label) for outcome in OUTCOME_ORDER],
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
        "failed": failed,
        "total": total,
        "failure_rate": rate,
        "failures_href": _activity_url(
            category=Category.AUTHENTICATION,
            outcome=[str(outcome) for outcome in FAILED_OUTCOMES],
            since=local_since,
        ),
        "authentications_href": _activity_url(
            category=Category.AUTHENTICATION, since=local_since
        ),
        "statuses": statuses,
        "statuses_height": len(statuses) * BAR_ROW_HEIGHT,
        "device_types": device_types,
        "device_types_height": max(len(device_types), 1) * BAR_ROW_HEIGHT,
        "bypassed": bypassed_now(organization, now),
        "bypassed_count": bypassed_user_count(organization, now),
        "most_failures": users_with_most_failures(organization, since),
        "bypass_href": _activity_url(outcome=Outcome.BYPASSED, since=local_since),
    }
