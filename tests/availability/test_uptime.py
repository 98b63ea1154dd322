"""Uptime and incidents per day in the organization's time zone, time frozen."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from accounts.models import Organization
from availability.health import Check, State
from availability.models import Component, Incident
from availability.probes import probe_record
from availability.uptime import (
    ComponentUptime,
    DayUptime,
    current_states,
    incidents_recent,
    uptime_report,
)
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _probe(when: str, ok: bool, component: str = Component.DATABASE) -> None:
    check = Check(State.OK) if ok else Check(State.FAILED, "failed")
    probe_record(component=component, check=check, now=_at(when))


def _day(report: list[ComponentUptime], component: str, day: date) -> DayUptime:
    row = next(item for item in report if item.component == component)
    return next(cell for cell in row.days if cell.day == day)


@pytest.fixture
def new_york() -> Organization:
    return OrganizationFactory(time_zone="America/New_York")


@pytest.fixture
def utc_organization() -> Organization:
    return OrganizationFactory(time_zone="UTC")


@time_machine.travel("2026-01-10 12:00Z", tick=False)
def test_probes_split_at_local_midnight(
    new_york: Organization, utc_organization: Organization
) -> None:
    # 04:59 UTC is 23:59 on January 8 in New York; 05:01 UTC is January 9.
    _probe("2026-01-09T04:59+00:00", ok=False)
    _probe("2026-01-09T05:01+00:00", ok=True)
    _probe("2026-01-09T05:02+00:00", ok=True)
    now = _at("2026-01-10T12:00+00:00")

    local = uptime_report(new_york, now=now, days=90)
    utc = uptime_report(utc_organization, now=now, days=90)

    assert _day(local, Component.DATABASE, date(2026, 1, 8)).percent == 0
    assert _day(local, Component.DATABASE, date(2026, 1, 9)).percent == 100
    assert _day(utc, Component.DATABASE, date(2026, 1, 9)).total == 3
    assert _day(utc, Component.DATABASE, date(2026, 1, 9)).percent == 66.667
    assert _day(utc, Component.DATABASE, date(2026, 1, 8)).percent is None


@time_machine.travel("2026-01-10 12:00Z", tick=False)
def test_report_days_end_today_local(new_york: Organization) -> None:
    # At 02:00 UTC on January 10 it is still January 9 in New York.
    report = uptime_report(new_york, now=_at("2026-01-10T02:00+00:00"), days=90)

    days = report[0].days
    assert len(days) == 90
    assert days[-1].day == date(2026, 1, 9)
    assert days[0].day == date(2025, 10, 12)


@time_machine.travel("2026-01-10 12:00Z", tick=False)
def test_incident_spread_over_local_days(
    new_york: Organization, utc_organization: Organization
) -> None:
    # From 23:00 on January 8 to 01:00 on January 9 in New York.
    incident = Incident.objects.create(
        component=Component.WORKERS,
        started_at=_at("2026-01-09T04:00+00:00"),
        resolved_at=_at("2026-01-09T06:00+00:00"),
    )
    now = _at("2026-01-10T12:00+00:00")

    local = uptime_report(new_york, now=now)
    utc = uptime_report(utc_organization, now=now)

    first = _day(local, Component.WORKERS, date(2026, 1, 8))
    second = _day(local, Component.WORKERS, date(2026, 1, 9))
    assert (first.downtime_seconds, second.downtime_seconds) == (3600, 3600)
    assert first.incident_ids == [incident.pk]
    assert second.incident_ids == [incident.pk]
    assert _day(utc, Component.WORKERS, date(2026, 1, 9)).downtime_seconds == 7200
    assert _day(utc, Component.WORKERS, date(2026, 1, 8)).downtime_seconds == 0


@time_machine.travel("2026-03-30 12:00Z", tick=False)
def test_dst_day_has_23_hours() -> None:
    berlin = OrganizationFactory(time_zone="Europe/Berlin")
    # Open since before the spring-forward day, so it covers all of March 29.
    Incident.objects.create(
        component=Component.WEB, started_at=_at("2026-03-27T00:00+00:00")
    )

    report = uptime_report(berlin, now=_at("2026-03-30T12:00+00:00"))

    assert _day(report, Component.WEB, date(2026, 3, 29)).downtime_seconds == 23 * 3600
    assert _day(report, Component.WEB, date(2026, 3, 28)).downtime_seconds == 24 * 3600
    # Today counts up to now only: 14:00 local is 14 hours after midnight.
    assert _day(report, Component.WEB, date(2026, 3, 30)).downtime_seconds == 14 * 3600


@time_machine.travel("2026-01-10 12:00Z", tick=False)
def test_probes_outside_range_ignored(new_york: Organization) -> None:
    # New York is on daylight saving time (UTC-4) in October.
    _probe("2025-10-12T03:59+00:00", ok=False)  # October 11 local: day 91
    _probe("2025-10-12T04:00+00:00", ok=True)  # October 12 local: day 1

    # January 9 local, so the 90 days start on October 12.
    report = uptime_report(new_york, now=_at("2026-01-10T02:00+00:00"))

    database = next(item for item in report if item.component == Component.DATABASE)
    assert sum(day.total for day in database.days) == 1
    assert database.percent == 100


def test_uptime_levels() -> None:
    assert DayUptime(date(2026, 1, 1)).level == "none"
    assert DayUptime(date(2026, 1, 1), total=1000, passed=1000).level == "ok"
    assert DayUptime(date(2026, 1, 1), total=1000, passed=995).level == "minor"
    assert DayUptime(date(2026, 1, 1), total=1000, passed=900).level == "major"


@time_machine.travel("2026-01-10 12:00Z", tick=False)
def test_incidents_recent_window(new_york: Organization) -> None:
    old = Incident.objects.create(
        component=Component.WEB,
        started_at=_at("2025-10-01T00:00+00:00"),
        resolved_at=_at("2025-10-01T01:00+00:00"),
    )
    recent = Incident.objects.create(
        component=Component.WEB,
        started_at=_at("2026-01-09T00:00+00:00"),
        resolved_at=_at("2026-01-09T01:00+00:00"),
    )

    incidents = incidents_recent(new_york, now=_at("2026-01-10T12:00+00:00"))

    assert [incident.pk for incident in incidents] == [recent.pk]
    assert old.pk not in [incident.pk for incident in incidents]


@time_machine.travel("2026-01-10 12:00Z", tick=False)
def test_current_states_stale_is_unknown() -> None:
    _probe("2026-01-10T11:59+00:00", ok=False, component=Component.DATABASE)
    _probe("2026-01-10T11:50+00:00", ok=True, component=Component.WEB)

    states = {item.component: item for item in current_states(_at("2026-01-10T12:00Z"))}

    assert states[Component.DATABASE].state == "failed"
    assert states[Component.WEB].state == "unknown"
    assert states[Component.WORKERS].checked_at is None


def test_check_failed_property() -> None:
    assert Check(State.FAILED).failed
    assert not Check(State.EMBEDDED).failed


@time_machine.travel("2026-01-10 12:00Z", tick=False)
def test_incident_ending_at_midnight(utc_organization: Organization) -> None:
    Incident.objects.create(
        component=Component.WEB,
        started_at=_at("2026-01-08T23:00+00:00"),
        resolved_at=_at("2026-01-09T00:00+00:00"),
    )

    report = uptime_report(utc_organization, now=_at("2026-01-10T12:00+00:00"))

    assert _day(report, Component.WEB, date(2026, 1, 8)).downtime_seconds == 3600
    assert _day(report, Component.WEB, date(2026, 1, 9)).incident_ids == []
