"""Demo availability data: maintenance windows, an override, 90 days of probes.

Deterministic and idempotent: probes and incidents are generated from fixed
offsets relative to the current minute, and only when none exist yet.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Organization
from availability.models import (
    Component,
    FailureMode,
    Incident,
    IncidentNote,
    MaintenanceWindow,
    Probe,
    ProbeBucket,
    ServiceFailureMode,
    ServiceState,
)
from availability.probes import buckets_from_probes

PROBE_DAYS = 90
# Demo probes run every 10 minutes rather than every minute, so seeding stays
# fast (about 65,000 rows); uptime percentages come out the same.
PROBE_INTERVAL = timedelta(minutes=10)
# (component, days ago the incident started, its length)
DEMO_INCIDENTS = [
    (Component.WORKERS, 41, timedelta(minutes=50)),
    (Component.PINGID_API, 12, timedelta(hours=2, minutes=20)),
    (Component.DATABASE, 3, timedelta(minutes=20)),
]


def seed(organization: Organization) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    ServiceState.objects.get_or_create(
        organization=organization, defaults={"failure_mode": FailureMode.REJECT}
    )
    ServiceFailureMode.objects.get_or_create(
        organization=organization,
        service="vpn",
        defaults={"mode": FailureMode.BYPASS},
    )
    _seed_maintenance(organization, now)
    if not Probe.objects.exists():
        _seed_probes(organization, now)


def _seed_maintenance(organization: Organization, now: datetime) -> None:
    windows = MaintenanceWindow.objects.for_organization(organization)
    if windows.exists():
        return
    today = now.replace(hour=0, minute=0)
    MaintenanceWindow.objects.create(
        organization=organization,
        starts_at=today - timedelta(days=14) + timedelta(hours=22),
        ends_at=today - timedelta(days=14) + timedelta(hours=23, minutes=30),
        message="Database upgrade to a new minor version.",
        created_by="admin@acme.example",
    )
    MaintenanceWindow.objects.create(
        organization=organization,
        starts_at=now + timedelta(hours=20),
        ends_at=now + timedelta(hours=21),
        message="Push provider certificate renewal; push notifications may be late.",
        created_by="admin@acme.example",
    )


def _incident_spans(now: datetime) -> list[tuple[str, datetime, datetime]]:
    spans: list[tuple[str, datetime, datetime]] = []
    for component, days_ago, length in DEMO_INCIDENTS:
        start = (now - timedelta(days=days_ago)).replace(hour=2, minute=10)
        spans.append((component, start, start + length))
    return spans


def _seed_probes(organization: Organization, now: datetime) -> None:
    spans = _incident_spans(now)
    probes = []
    moment = now - timedelta(days=PROBE_DAYS)
    while moment <= now:
        for component in Component.values:
            failed = any(
                name == component and start <= moment < end
                for name, start, end in spans
            )
            probes.append(
                Probe(
                    component=component,
                    checked_at=moment,
                    ok=not failed,
                    state="failed" if failed else "ok",
                    detail=f"{component} check failed" if failed else "",
                    latency_ms=4,
                )
            )
        moment += PROBE_INTERVAL
    Probe.objects.bulk_create(probes, batch_size=5000)
    ProbeBucket.objects.bulk_create(buckets_from_probes(probes), batch_size=5000)
    for component, start, end in spans:
        incident = Incident.objects.create(
            component=component,
            started_at=start,
            resolved_at=end,
            summary=f"{component} check failed",
        )
        if component == Component.PINGID_API:
            _note(organization, incident, start)


def _note(organization: Organization, incident: Incident, start: datetime) -> None:
    IncidentNote.objects.create(
        incident=incident,
        organization=organization,
        text="Push provider outage; an emergency bypass was considered but not needed.",
        author="admin@acme.example",
        created_at=start + timedelta(minutes=30),
    )
