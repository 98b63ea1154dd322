"""Periodic jobs of the availability area, scheduled in CELERY_BEAT_SCHEDULE."""

from __future__ import annotations

import logging
import socket
import time

from celery import Task, shared_task
from django.utils import timezone

from availability.models import WorkerHeartbeat
from availability.probes import probes_purge, probes_run
from availability.services import emergency_bypass_record_ended

logger = logging.getLogger(__name__)


@shared_task(name="availability.tasks.run_probes", ignore_result=True)
def run_probes() -> int:
    """Probe every component, then purge probes past their retention."""
    started = time.monotonic()
    now = timezone.now()
    probes = probes_run(now=now)
    purged = probes_purge(now=now)
    failed = [probe.component for probe in probes if not probe.ok]
    logger.info(
        "Probes done in %.2f s: %s failed %s, %s old probes purged",
        time.monotonic() - started,
        len(failed),
        failed,
        purged,
    )
    return len(probes)


@shared_task(
    bind=True, name="availability.tasks.record_worker_heartbeat", ignore_result=True
)
def record_worker_heartbeat(self: Task) -> None:
    """Record that the worker running this task takes tasks from the queue."""
    worker = self.request.hostname or socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"beat_at": timezone.now()}
    )


@shared_task(
    name="availability.tasks.record_ended_emergency_bypasses", ignore_result=True
)
def record_ended_emergency_bypasses() -> int:
    """Write the end event of each emergency bypass that reached its end time."""
    return emergency_bypass_record_ended(now=timezone.now())
