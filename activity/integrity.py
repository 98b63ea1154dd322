"""Integrity checks of the activity hash chain, run as Celery tasks.

The Activity integrity page and a daily schedule queue a check. The task
recomputes the organization's whole chain (`chain_verify`), which can take
minutes on millions of events, so it runs outside the web request, except
where tasks run in-process (the embedded default). Each finished check is recorded
as an activity event, so a broken chain shows in the log and in exports.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from activity.chain import chain_verify
from activity.models import IntegrityCheck, IntegrityCheckStatus, Outcome
from activity.services import event_record
from pingid_portal.actors import Actor
from pingid_portal.permissions import Action

logger = logging.getLogger(__name__)

SCHEDULED = "scheduled check"
_UNFINISHED = (IntegrityCheckStatus.QUEUED, IntegrityCheckStatus.RUNNING)


def integrity_check_request(*, actor: Actor) -> IntegrityCheck:
    """Queue a check of the actor's organization, or return the one still pending.

    A check queued or running for less than INTEGRITY_CHECK_STALE_SECONDS is
    returned instead of queuing another; an older one is taken to have died.
    """
    actor.require(Action.VIEW)
    return _queue(actor.organization, actor.display)


def _queue(organization: Organization, requested_by: str) -> IntegrityCheck:
    from activity.tasks import run_integrity_check

    stale = timezone.now() - timedelta(seconds=settings.INTEGRITY_CHECK_STALE_SECONDS)
    with transaction.atomic():
        # Serializes two requests of one organization.
        Organization.objects.select_for_update(no_key=True).get(pk=organization.pk)
        pending = (
            IntegrityCheck.objects.for_organization(organization)
            .filter(status__in=_UNFINISHED, created_at__gte=stale)
            .first()
        )
        if pending is not None:
            return pending
        check = IntegrityCheck.objects.create(
            organization=organization, requested_by_display=requested_by
        )
        transaction.on_commit(lambda: run_integrity_check.delay(check.pk))
    return check


def integrity_checks_schedule() -> int:
    """Queue a check of every organization's chain; return how many were queued."""
    queued = 0
    for organization in Organization.objects.all():
        check = _queue(organization, SCHEDULED)
        queued += check.requested_by_display == SCHEDULED
    return queued


def integrity_check_run(check_id: int) -> IntegrityCheck:
    """Run a queued check and store its report; a check already started is skipped."""
    claimed = IntegrityCheck.objects.filter(
        pk=check_id, status=IntegrityCheckStatus.QUEUED
    ).update(status=IntegrityCheckStatus.RUNNING, started_at=timezone.now())
    check = IntegrityCheck.objects.select_related("organization").get(pk=check_id)
    if not claimed:
        logger.info("Integrity check %s already started; skipped", check_id)
        return check

    try:
        report = chain_verify(check.organization_id)
    except Exception as error:
        logger.exception("Integrity check %s failed", check_id)
        check.status = IntegrityCheckStatus.FAILED
        check.error = f"The check failed: {error}. Run it again."
        check.finished_at = timezone.now()
        check.save(update_fields=["status", "error", "finished_at"])
        raise

    check.status = (
        IntegrityCheckStatus.INTACT if report.intact else IntegrityCheckStatus.BROKEN
    )
    check.events_checked = report.events_checked
    check.broken_event_id = report.broken_event_id
    check.broken_sequence = report.broken_sequence
    check.problem = report.problem
    check.finished_at = timezone.now()
    with transaction.atomic():
        check.save()
        event_record(
            actor=Actor.system(check.organization, "activity integrity check"),
            action="activity.integrity_check",
            outcome=Outcome.SUCCESS if report.intact else Outcome.FAILURE,
            target=check,
            after={
                "status": check.status,
                "events_checked": report.events_checked,
                "broken_sequence": report.broken_sequence,
                "broken_event_id": report.broken_event_id,
            },
            reason=report.problem,
            message=f"Requested by {check.requested_by_display}.",
        )

    if report.intact:
        logger.info(
            "Integrity check %s: chain of organization %s intact, %s events",
            check_id,
            check.organization_id,
            report.events_checked,
        )
    else:
        logger.error(
            "Integrity check %s: chain of organization %s BROKEN at sequence %s",
            check_id,
            check.organization_id,
            report.broken_sequence,
        )
    return check
