"""Benchmark the uptime report, the authentication decision and the health check.

Usage (PostgreSQL; the database must exist and is migrated here):

    SECRET_KEY=bench SECURE_SSL_REDIRECT=false \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingid_availability \\
    .venv/bin/python bench/availability.py [--days 90] [--runs 9]

The first run stores one probe per component and minute for `--days` days
(648,000 rows for 90 days) and one incident every ten days; later runs reuse
them. Each measurement runs once to warm up, then `--runs` times, and the
median is printed as a Markdown table row.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingid_portal.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from accounts.models import Membership, Organization  # noqa: E402
from availability.decisions import authentication_decision  # noqa: E402
from availability.models import (  # noqa: E402
    Component,
    Incident,
    Probe,
    ProbeBucket,
    ServiceState,
)
from availability.probes import buckets_from_probes  # noqa: E402
from bench.portal_client import signed_in_client  # noqa: E402
from tests.factories import MembershipFactory  # noqa: E402

SEED_TIME = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ORG_NAME = "Availability benchmark"


def _store(probes: list[Probe]) -> None:
    Probe.objects.bulk_create(probes)
    ProbeBucket.objects.bulk_create(buckets_from_probes(probes))


def seed_probes(days: int) -> None:
    if ProbeBucket.objects.exists():
        return
    Probe.objects.all().delete()
    start = SEED_TIME - timedelta(days=days)
    batch: list[Probe] = []
    for minute in range(days * 24 * 60):
        moment = start + timedelta(minutes=minute)
        for component in Component.values:
            failed = component == Component.WORKERS and minute % 14400 < 30
            batch.append(Probe(component=component, checked_at=moment, ok=not failed))
        # Flush whole days, so no 15-minute bucket is split across two batches.
        if (minute + 1) % (24 * 60) == 0:
            _store(batch)
            batch = []
    _store(batch)
    for day in range(0, days, 10):
        started = start + timedelta(days=day)
        Incident.objects.create(
            component=Component.WORKERS,
            started_at=started,
            resolved_at=started + timedelta(minutes=30),
        )


def organization_get() -> tuple[Organization, Membership]:
    organization, _ = Organization.objects.get_or_create(
        name=ORG_NAME, defaults={"time_zone": "America/New_York"}
    )
    ServiceState.objects.get_or_create(organization=organization)
    membership = Membership.objects.filter(organization=organization).first()
    if membership is None:
        membership = MembershipFactory(organization=organization)
    return organization, membership


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=9)
    arguments = parser.parse_args()

    call_command("migrate", verbosity=0)
    seed_probes(arguments.days)
    organization, membership = organization_get()
    client = signed_in_client(membership.user)

    from availability.uptime import uptime_report

    rows = {
        "uptime_report, 90 days": median_ms(
            lambda: uptime_report(organization, now=SEED_TIME), arguments.runs
        ),
        "GET /availability/ (status page)": median_ms(
            lambda: client.get("/availability/"), arguments.runs
        ),
        "authentication_decision, 100 calls": median_ms(
            lambda: [
                authentication_decision(
                    organization=organization, service="vpn", now=SEED_TIME
                )
                for _ in range(100)
            ],
            arguments.runs,
        ),
        "GET /health/ready": median_ms(
            lambda: client.get("/health/ready"), arguments.runs
        ),
    }
    print(f"probes: {Probe.objects.count()}, runs: {arguments.runs}")
    print("| measurement | median ms |")
    print("| --- | --- |")
    for name, value in rows.items():
        print(f"| {name} | {value:.1f} |")


if __name__ == "__main__":
    main()
