"""Celery tasks of the users area."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from activity.models import Category
from activity.services import event_record
from pingid_portal.actors import Actor
from users.bulk import bulk_job_run
from users.imports import import_run
from users.models import UserService
from users.services import service_state

logger = logging.getLogger(__name__)

# Ended bypasses recorded per transaction.
BATCH_SIZE = 500


@shared_task
def run_bulk_job(job_id: int) -> None:
    bulk_job_run(job_id)


@shared_task
def run_import(import_id: int) -> None:
    import_run(import_id)


@shared_task
def record_ended_bypasses() -> int:
    """Write one "bypass ended" event per bypass whose end has passed.

    Safe to run at any time and from several workers: each bypass is marked
    `bypass_end_recorded` in the transaction that writes its event, and rows
    another worker has locked are skipped. Returns the number of events written.
    """
    written = 0
    while True:
        batch = _record_batch()
        written += batch
        if batch < BATCH_SIZE:
            break
    if written:
        logger.info("Recorded %s ended bypasses", written)
    return written


def _record_batch() -> int:
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            UserService.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user__organization")
            .filter(
                bypass_end_recorded=False,
                bypass_unlimited=False,
                bypass_until__lte=now,
            )
            .order_by("bypass_until", "id")[:BATCH_SIZE]
        )
        for row in rows:
            event_record(
                actor=Actor.system(row.user.organization, "bypass expiry"),
                category=Category.SYSTEM,
                action="user.bypass_expire",
                pingid_user=row.user,
                service=row.service,
                before={row.service: service_state(row)},
                reason=row.bypass_reason,
                message=f"MFA bypass set by {row.bypass_set_by_display} ended.",
                occurred_at=row.bypass_until,
            )
            row.bypass_end_recorded = True
            row.save(update_fields=["bypass_end_recorded"])
    return len(rows)
