from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from availability import probes
from availability.health import Check, State
from availability.models import Component, Incident, Probe, ProbeBucket
from availability.probes import (
    bucket_start,
    buckets_from_probes,
    probe_record,
    probes_purge,
    probes_run_if_due,
)
from availability.tasks import run_probes

pytestmark = pytest.mark.django_db


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_incident_opens_and_resolves() -> None:
    failed = Check(State.FAILED, "database unreachable")
    ok = Check(State.OK)

    probe_record(component="database", check=ok, now=_at("2026-01-01T00:00Z"))
    probe_record(component="database", check=failed, now=_at("2026-01-01T00:01Z"))
    probe_record(component="database", check=failed, now=_at("2026-01-01T00:02Z"))
    open_incidents = list(Incident.objects.filter(resolved_at__isnull=True))
    probe_record(component="database", check=ok, now=_at("2026-01-01T00:03Z"))

    incident = Incident.objects.get()
    assert len(open_incidents) == 1
    assert incident.started_at == _at("2026-01-01T00:01Z")
    assert incident.resolved_at == _at("2026-01-01T00:03Z")
    assert incident.summary == "database unreachable"
    assert Probe.objects.filter(ok=False).count() == 2


def test_second_outage_new_incident() -> None:
    failed = Check(State.FAILED, "x")
    ok = Check(State.OK)
    for minute, check in enumerate([failed, ok, failed, ok]):
        probe_record(
            component="web",
            check=check,
            now=_at("2026-01-01T00:00Z") + timedelta(minutes=minute),
        )

    assert Incident.objects.count() == 2
    assert not Incident.objects.filter(resolved_at__isnull=True).exists()


def test_embedded_probe_passes() -> None:
    probe = probe_record(
        component="task_queue",
        check=Check(State.EMBEDDED, "no broker configured"),
        now=timezone.now(),
    )

    assert probe.ok is True
    assert probe.state == "embedded"
    assert not Incident.objects.exists()


@time_machine.travel("2026-01-10 12:00Z", tick=False)
def test_run_probes_checks_every_component(settings: object) -> None:
    # The queue and worker checks report "embedded" only without a broker.
    settings.CELERY_BROKER_URL = ""  # type: ignore[attr-defined]

    count = run_probes.apply().get()

    rows = {probe.component: probe for probe in Probe.objects.all()}
    assert count == 5
    assert set(rows) == set(Component.values)
    assert rows[Component.WEB].state == "ok"
    assert rows[Component.DATABASE].state == "ok"
    assert rows[Component.TASK_QUEUE].state == "embedded"
    assert rows[Component.WORKERS].state == "embedded"
    assert all(probe.checked_at == _at("2026-01-10T12:00Z") for probe in rows.values())


def test_crashing_check_is_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash() -> Check:
        raise RuntimeError("boom")

    monkeypatch.setitem(probes.CHECKS, Component.WEB, crash)

    probes.probes_run(now=timezone.now())

    web = Probe.objects.get(component=Component.WEB)
    assert web.ok is False
    assert web.detail == "probe raised an error"
    assert Incident.objects.filter(component=Component.WEB).exists()


def test_purge_keeps_recent(settings: object) -> None:
    now = _at("2026-06-01T00:00Z")
    Probe.objects.create(component="web", checked_at=now - timedelta(days=101), ok=True)
    recent_probe = Probe.objects.create(
        component="web", checked_at=now - timedelta(days=99), ok=True
    )

    deleted = probes_purge(now=now)

    assert deleted == 1
    assert list(Probe.objects.all()) == [recent_probe]


def test_run_if_due_embedded_only(settings: object) -> None:
    settings.CELERY_BROKER_URL = ""  # type: ignore[attr-defined]
    now = timezone.now()

    first = probes_run_if_due(now=now)
    again = probes_run_if_due(now=now + timedelta(seconds=30))
    later = probes_run_if_due(now=now + timedelta(seconds=61))

    assert (first, again, later) == (True, False, True)
    assert Probe.objects.count() == 10


def test_run_if_due_not_with_broker(settings: object) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # type: ignore[attr-defined]

    assert probes_run_if_due(now=timezone.now()) is False
    assert not Probe.objects.exists()


def test_buckets_count_probes() -> None:
    ok = Check(State.OK)
    failed = Check(State.FAILED, "x")
    probe_record(component="web", check=ok, now=_at("2026-01-01T00:00Z"))
    probe_record(component="web", check=failed, now=_at("2026-01-01T00:14:59Z"))
    probe_record(component="web", check=ok, now=_at("2026-01-01T00:15Z"))

    buckets = list(ProbeBucket.objects.order_by("starts_at"))

    assert [(b.starts_at, b.total, b.passed) for b in buckets] == [
        (_at("2026-01-01T00:00Z"), 2, 1),
        (_at("2026-01-01T00:15Z"), 1, 1),
    ]


def test_bucket_start_in_utc() -> None:
    start = bucket_start(_at("2026-01-01T05:44:30+05:45"))

    assert start == _at("2025-12-31T23:45Z")
    assert start.utcoffset() == timedelta(0)


def test_buckets_from_probes_match() -> None:
    probes = [
        Probe(component="web", checked_at=_at("2026-01-01T00:01Z"), ok=True),
        Probe(component="web", checked_at=_at("2026-01-01T00:02Z"), ok=False),
        Probe(component="database", checked_at=_at("2026-01-01T00:02Z"), ok=True),
    ]

    buckets = buckets_from_probes(probes)

    counts = {(b.component, b.total, b.passed) for b in buckets}
    assert counts == {("web", 2, 1), ("database", 1, 1)}


def test_store_failure_skips_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import DatabaseError

    original = probes.probe_record

    def store(*, component: str, check: Check, now: datetime) -> Probe:
        if component == Component.DATABASE:
            raise DatabaseError("connection refused")
        return original(component=component, check=check, now=now)

    monkeypatch.setattr(probes, "probe_record", store)

    stored = probes.probes_run(now=timezone.now())

    assert len(stored) == 4
    assert not Probe.objects.filter(component=Component.DATABASE).exists()
