"""Celery tasks of the activity log: exports, their expiry, retention and counts."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

from accounts.models import Organization
from activity.export_runs import (
    Claim,
    export_claim,
    export_run,
    exports_delete_expired,
    exports_fail_stale,
    exports_remove_partial_files,
)
from activity.retention import events_purge
from activity.rollup import authentication_counts_update_all

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def run_export(self: Task, export_id: int) -> str:
    """Write one export; a task for an export already started does nothing.

    A task delivered again after its worker died finds the export running with
    a stale heartbeat and takes it over. While the heartbeat is fresh it
    retries later, so the export ends succeeded or failed.
    """
    claim = export_claim(export_id)
    if claim is Claim.BUSY:
        logger.info("Export %s is running elsewhere; checking again later", export_id)
        if not self.request.is_eager:
            raise self.retry(countdown=settings.EXPORT_STALE_SECONDS)
        return claim.value
    if claim is Claim.DONE:
        logger.info("Export %s already finished or was deleted; skipped", export_id)
        return claim.value
    export_run(export_id)
    return claim.value


@shared_task
def delete_expired_exports() -> int:
    """Delete expired export files and fail exports whose worker stopped."""
    stale = exports_fail_stale()
    if stale:
        logger.warning("Marked %s exports with a stopped worker as failed", stale)
    partial = exports_remove_partial_files()
    if partial:
        logger.warning("Removed %s partial export files of killed workers", partial)
    deleted = exports_delete_expired()
    logger.info("Deleted %s expired exports", deleted)
    return deleted


@shared_task
def purge_expired_events() -> int:
    """Apply every organization's activity retention."""
    total = 0
    for organization in Organization.objects.order_by("pk").iterator():
        total += events_purge(organization)
    return total


@shared_task
def run_integrity_check(check_id: int) -> str:
    """Recompute one organization's activity chain and store the report."""
    from activity.integrity import integrity_check_run

    return str(integrity_check_run(check_id).status)


@shared_task
def schedule_integrity_checks() -> int:
    """Queue a check of every organization's activity chain."""
    from activity.integrity import integrity_checks_schedule

    return integrity_checks_schedule()


@shared_task
def update_authentication_counts() -> int:
    """Add new authentication events to the dashboard's 15-minute counts."""
    return authentication_counts_update_all()
