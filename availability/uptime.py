"""Uptime per day and incidents, computed in an organization's time zone.

Probes and incidents are platform-wide and stored in UTC; a "day" is a
calendar day in the organization's time zone, so the same probe can fall on
different dates for two organizations.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from availability.models import Component, Incident, Probe, ProbeBucket

if TYPE_CHECKING:
    from accounts.models import Organization

# Probes older than this are too old to say what a component's state is now.
CURRENT_STATE_MAX_AGE = timedelta(minutes=5)


@dataclass
class DayUptime:
    day: date
    total: int = 0
    passed: int = 0
    # Seconds of this day covered by incidents of the component.
    downtime_seconds: int = 0
    incident_ids: list[int] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        """Share of passing probes in percent, or None when the day has no probes."""
        if self.total == 0:
            return None
        return round(100 * self.passed / self.total, 3)

    @property
    def level(self) -> str:
        """A CSS level for the day: none, ok, minor (>= 99 %) or major."""
        percent = self.percent
        if percent is None:
            return "none"
        if percent == 100:
            return "ok"
        return "minor" if percent >= 99 else "major"


@dataclass
class ComponentUptime:
    component: str
    label: str
    days: list[DayUptime]

    @property
    def percent(self) -> float | None:
        total = sum(day.total for day in self.days)
        if total == 0:
            return None
        return round(100 * sum(day.passed for day in self.days) / total, 3)


def local_day_bounds(day: date, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """Return the start and end of `day` in `zone`, in UTC (23 or 25 h on DST days).

    They are converted to UTC because Python subtracts two datetimes that share
    a tzinfo by wall clock, which would make every day 24 hours long.
    """
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def report_days(organization: Organization, now: datetime, days: int) -> list[date]:
    """Return the last `days` local dates of the organization, oldest first, today last."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    today = now.astimezone(zone).date()
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def incidents_between(start: datetime, end: datetime) -> QuerySet[Incident]:
    """Return incidents that overlap [start, end)."""
    return Incident.objects.filter(started_at__lt=end).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=start)
    )


def _overlap_seconds(
    incident: Incident, start: datetime, end: datetime, now: datetime
) -> int:
    incident_end = incident.resolved_at or now
    overlap = min(incident_end, end) - max(incident.started_at, start)
    return max(0, int(overlap.total_seconds()))


def uptime_report(
    organization: Organization, *, now: datetime, days: int = 90
) -> list[ComponentUptime]:
    """Return uptime per component and local day for the last `days` days."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    dates = report_days(organization, now, days)
    range_start = local_day_bounds(dates[0], zone)[0]
    range_end = local_day_bounds(dates[-1], zone)[1]

    table = {
        component: {day: DayUptime(day) for day in dates}
        for component in Component.values
    }
    rows = (
        ProbeBucket.objects.filter(starts_at__gte=range_start, starts_at__lt=range_end)
        .annotate(day=TruncDate("starts_at", tzinfo=zone))
        .values("component", "day")
        .annotate(total_sum=Sum("total"), passed_sum=Sum("passed"))
        .order_by()
    )
    for row in rows:
        cell = table.get(row["component"], {}).get(row["day"])
        if cell is not None:
            cell.total = row["total_sum"]
            cell.passed = row["passed_sum"]

    for incident in incidents_between(range_start, range_end):
        days_of_component = table.get(incident.component)
        if days_of_component is None:
            continue
        _spread_incident(incident, days_of_component, zone, now)

    labels = dict(Component.choices)
    return [
        ComponentUptime(component, labels[component], list(by_day.values()))
        for component, by_day in table.items()
    ]


def _spread_incident(
    incident: Incident,
    by_day: dict[date, DayUptime],
    zone: zoneinfo.ZoneInfo,
    now: datetime,
) -> None:
    """Add an incident's downtime to each local day it overlaps."""
    day = incident.started_at.astimezone(zone).date()
    incident_end = incident.resolved_at or now
    # An incident resolved exactly at midnight does not touch the next day.
    last_instant = max(incident.started_at, incident_end - timedelta(microseconds=1))
    last_day = last_instant.astimezone(zone).date()
    while day <= last_day:
        cell = by_day.get(day)
        if cell is not None:
            start, end = local_day_bounds(day, zone)
            # Every day from the start date to the end date overlaps the
            # incident, even when an incident opened this second has no length.
            cell.downtime_seconds += _overlap_seconds(incident, start, end, now)
            cell.incident_ids.append(incident.pk)
        day += timedelta(days=1)


@dataclass(frozen=True)
class ComponentState:
    component: str
    label: str
    # "ok", "failed", "embedded" or "unknown" (no recent probe).
    state: str
    detail: str
    checked_at: datetime | None


def current_states(now: datetime) -> list[ComponentState]:
    """Return each component's state from its latest probe."""
    labels = dict(Component.choices)
    states = []
    for component in Component.values:
        probe = (
            Probe.objects.filter(component=component)
            .order_by("-checked_at")
            .only("state", "detail", "checked_at")
            .first()
        )
        if probe is None or now - probe.checked_at > CURRENT_STATE_MAX_AGE:
            states.append(
                ComponentState(
                    component,
                    labels[component],
                    "unknown",
                    "No probe in the last 5 minutes: is the beat scheduler running?",
                    probe.checked_at if probe else None,
                )
            )
            continue
        states.append(
            ComponentState(
                component,
                labels[component],
                probe.state,
                probe.detail,
                probe.checked_at,
            )
        )
    return states


def incidents_recent(
    organization: Organization, *, now: datetime, days: int = 90, limit: int = 200
) -> list[Incident]:
    """Return incidents of the last `days` local days, latest first, with
    `note_count` counting the organization's notes only."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    first_day = report_days(organization, now, days)[0]
    start = local_day_bounds(first_day, zone)[0]
    notes_of_organization = Q(notes__organization=organization)
    return list(
        incidents_between(start, now + timedelta(seconds=1))
        .annotate(note_count=Count("notes", filter=notes_of_organization))
        .order_by("-started_at", "-id")[:limit]
    )
