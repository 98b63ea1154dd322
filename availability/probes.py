"""The probes run every minute: one `Probe` row per component, and incidents
opened on a failed probe and resolved on the next passing one.

Probes are platform-wide. The web and PingID API probes send a request
through the Django request handler in this process, never over the network.
So they check the application stack, not the proxy or load balancer in front
of it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.test import Client
from django.urls import Resolver404, resolve

from availability import health
from availability.health import Check, State
from availability.models import Component, Incident, Probe, ProbeBucket

logger = logging.getLogger(__name__)

PINGID_PROBE_PATH = "/pingid/rest/4/startauthentication/do"
# Without a beat scheduler, the status page runs the probes at most this often.
EMBEDDED_PROBE_INTERVAL = timedelta(minutes=1)


def _in_process_client() -> Client:
    hosts = [host for host in settings.ALLOWED_HOSTS if host not in ("*", "")]
    host = hosts[0].lstrip(".") if hosts else "localhost"
    return Client(HTTP_HOST=host, raise_request_exception=False)


def check_web() -> Check:
    """Send GET /health/live through the request handler."""
    started = time.monotonic()
    response = _in_process_client().get("/health/live", secure=True)
    latency = int((time.monotonic() - started) * 1000)
    if response.status_code != 200:
        return Check(
            State.FAILED, f"/health/live returned {response.status_code}", latency
        )
    return Check(State.OK, "", latency)


def check_pingid_api() -> Check:
    """Send an unsigned request to the PingID API; any status below 500 passes."""
    try:
        resolve(PINGID_PROBE_PATH)
    except Resolver404:
        return Check(State.FAILED, "PingID API is not installed")
    started = time.monotonic()
    response = _in_process_client().post(
        PINGID_PROBE_PATH, data="{}", content_type="application/json", secure=True
    )
    latency = int((time.monotonic() - started) * 1000)
    if response.status_code >= 500:
        return Check(
            State.FAILED, f"PingID API returned {response.status_code}", latency
        )
    return Check(State.OK, "", latency)


CHECKS: dict[str, Callable[[], Check]] = {
    Component.WEB: check_web,
    Component.DATABASE: health.check_database,
    Component.TASK_QUEUE: health.check_broker,
    Component.WORKERS: health.check_worker,
    Component.PINGID_API: check_pingid_api,
}


def _run_check(component: str) -> Check:
    try:
        return CHECKS[component]()
    except Exception:
        # A probe that crashes is a failed component, not a failed probe run.
        logger.exception("Probe of %s raised", component)
        return Check(State.FAILED, "probe raised an error")


def probe_record(*, component: str, check: Check, now: datetime) -> Probe:
    """Store one probe result and open or resolve the component's incident."""
    with transaction.atomic():
        probe = Probe.objects.create(
            component=component,
            checked_at=now,
            ok=not check.failed,
            state=check.state,
            detail=check.detail[:200],
            latency_ms=check.latency_ms,
        )
        _bucket_add(component, now, passed=not check.failed)
        open_incident = (
            Incident.objects.select_for_update()
            .filter(component=component, resolved_at__isnull=True)
            .first()
        )
        if check.failed and open_incident is None:
            Incident.objects.create(
                component=component, started_at=now, summary=check.detail[:200]
            )
            logger.warning("Incident opened for %s: %s", component, check.detail)
        elif not check.failed and open_incident is not None:
            open_incident.resolved_at = now
            open_incident.save(update_fields=["resolved_at"])
            logger.info("Incident %s for %s resolved", open_incident.pk, component)
    return probe


BUCKET_MINUTES = 15


def bucket_start(moment: datetime) -> datetime:
    """Return the start of the 15-minute bucket that contains `moment`, in UTC."""
    moment = moment.astimezone(UTC)
    minute = moment.minute - moment.minute % BUCKET_MINUTES
    return moment.replace(minute=minute, second=0, microsecond=0)


def _bucket_add(component: str, moment: datetime, *, passed: bool) -> None:
    """Count one probe in its bucket, creating the bucket on its first probe."""
    starts_at = bucket_start(moment)
    increments = {"total": F("total") + 1, "passed": F("passed") + int(passed)}
    rows = ProbeBucket.objects.filter(component=component, starts_at=starts_at)
    if rows.update(**increments):
        return
    try:
        with transaction.atomic():
            ProbeBucket.objects.create(
                component=component,
                starts_at=starts_at,
                total=1,
                passed=int(passed),
            )
    except IntegrityError:
        # Another process created the bucket between the update and the insert.
        rows.update(**increments)


def probes_run(*, now: datetime) -> list[Probe]:
    """Check every component once and store the results."""
    probes = []
    for component in CHECKS:
        check = _run_check(component)
        try:
            probes.append(probe_record(component=component, check=check, now=now))
        except DatabaseError:
            # NOTE: while the database is down no probe can be stored, so a
            # database outage shows as days with fewer probes, not as an incident.
            logger.exception("Storing the %s probe failed: %s", component, check)
    return probes


def probes_purge(*, now: datetime) -> int:
    """Delete probes older than AVAILABILITY_PROBE_RETENTION_DAYS; return how many."""
    cutoff = now - timedelta(days=settings.AVAILABILITY_PROBE_RETENTION_DAYS)
    deleted, _ = Probe.objects.filter(checked_at__lt=cutoff).delete()
    ProbeBucket.objects.filter(starts_at__lt=cutoff).delete()
    return deleted


def probes_run_if_due(*, now: datetime) -> bool:
    """Run the probes in-process when no broker (and so no beat) is configured
    and the latest probe is older than a minute. Returns whether they ran."""
    if not health.broker_embedded():
        return False
    latest = Probe.objects.order_by("-checked_at").values_list("checked_at", flat=True)
    last_run = latest.first()
    if last_run is not None and now - last_run < EMBEDDED_PROBE_INTERVAL:
        return False
    probes_run(now=now)
    return True


def buckets_from_probes(probes: list[Probe]) -> list[ProbeBucket]:
    """Return the buckets counting `probes`, for bulk loads that skip `probe_record`."""
    buckets: dict[tuple[str, datetime], ProbeBucket] = {}
    for probe in probes:
        key = (probe.component, bucket_start(probe.checked_at))
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = ProbeBucket(component=key[0], starts_at=key[1])
        bucket.total += 1
        bucket.passed += int(probe.ok)
    return list(buckets.values())
