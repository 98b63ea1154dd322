"""Bulk actions on PingID users: disable, enable, bypass or remove many at once.

A job row records the request; up to `BULK_SYNC_LIMIT` users run in the
request, more run as a Celery job. Each user is handled by the single-user
service in its own transaction, so each gets its own activity event, and a
failure for one user is listed without stopping the others.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from activity.services import event_record
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.permissions import Action
from users.models import BulkAction, JobStatus, PingIDUser, UserBulkJob
from users.services import (
    check_bypass_end,
    clean_reason,
    clean_services,
    user_activate,
    user_bypass,
    user_remove,
    user_suspend,
)

logger = logging.getLogger(__name__)

# Larger selections run as a Celery job with a progress bar.
BULK_SYNC_LIMIT = 200
# Progress is saved after this many users, so the progress bar moves without a
# write per user.
PROGRESS_EVERY = 25

REQUIRED_ACTION = {
    BulkAction.DISABLE: Action.USER_MANAGE,
    BulkAction.ENABLE: Action.USER_MANAGE,
    BulkAction.REMOVE: Action.USER_MANAGE,
    BulkAction.BYPASS: Action.USER_BYPASS,
}


def bulk_parameters(
    *,
    actor: Actor,
    action: str,
    reason: str,
    until: datetime | None = None,
    unlimited: bool = False,
    services: list[str] | None = None,
) -> dict[str, Any]:
    """Validate the arguments of a bulk action and return them as stored on the job."""
    if action not in BulkAction.values:
        raise ServiceError(
            f"Action {action!r} is invalid: use {', '.join(BulkAction.values)}.",
            field="action",
        )
    actor.require(REQUIRED_ACTION[BulkAction(action)])
    parameters: dict[str, Any] = {
        "reason": clean_reason(reason, required=action != BulkAction.REMOVE),
        "ip_address": actor.ip_address,
        "user_agent": actor.user_agent,
    }
    if action == BulkAction.BYPASS:
        check_bypass_end(
            actor=actor, until=until, unlimited=unlimited, now=timezone.now()
        )
        parameters["until"] = until.isoformat() if until else None
        parameters["unlimited"] = unlimited
        parameters["services"] = clean_services(services) if services else None
    return parameters


def bulk_job_create(
    *, actor: Actor, action: str, user_ids: list[int], parameters: dict[str, Any]
) -> UserBulkJob:
    """Record a bulk action; queue it as a Celery job when it is large.

    Small jobs are left queued for the caller to run with `bulk_job_run`.
    """
    actor.require(REQUIRED_ACTION[BulkAction(action)])
    if not user_ids:
        raise ServiceError(
            "No PingID user selected: user_ids is empty or the filter matches no "
            "user. Send the ids of existing users in user_ids, or a filter that "
            "matches at least one user.",
            code="no_users",
            field="user_ids",
        )
    with transaction.atomic():
        job = UserBulkJob.objects.create(
            organization=actor.organization,
            requested_by=actor.user,
            requested_by_display=actor.display,
            action=action,
            parameters=parameters,
            user_ids=list(user_ids),
            total=len(user_ids),
        )
        event_record(
            actor=actor,
            action="user.bulk_start",
            target=job,
            after={"action": action, "total": job.total},
            reason=parameters.get("reason", ""),
        )
        if job.total > BULK_SYNC_LIMIT:
            from users.tasks import run_bulk_job

            transaction.on_commit(lambda: run_bulk_job.delay(job.pk))
    return job


def _job_actor(job: UserBulkJob) -> Actor:
    return Actor.for_background_work(
        job.organization,
        job.requested_by_id,
        job.requested_by_display,
        ip_address=job.parameters.get("ip_address"),
        user_agent=job.parameters.get("user_agent") or "",
    )


def _act(actor: Actor, job: UserBulkJob, user: PingIDUser) -> None:
    parameters = job.parameters
    reason = parameters.get("reason", "")
    if job.action == BulkAction.DISABLE:
        user_suspend(actor=actor, user=user, reason=reason)
    elif job.action == BulkAction.ENABLE:
        user_activate(actor=actor, user=user, reason=reason)
    elif job.action == BulkAction.REMOVE:
        user_remove(actor=actor, user=user, reason=reason)
    else:
        until = parameters.get("until")
        user_bypass(
            actor=actor,
            user=user,
            services=parameters.get("services"),
            until=datetime.fromisoformat(until) if until else None,
            unlimited=bool(parameters.get("unlimited")),
            reason=reason,
        )


def _claim(job_id: int) -> UserBulkJob | None:
    """Mark a queued job as running; return None when it already started."""
    with transaction.atomic():
        job = UserBulkJob.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.QUEUED:
            return None
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job


def bulk_job_run(job_id: int) -> UserBulkJob:
    """Run a queued bulk job; a job that already started is left alone."""
    job = _claim(job_id)
    if job is None:
        logger.warning("Bulk job %s is not queued; not running it again", job_id)
        return UserBulkJob.objects.get(pk=job_id)
    started = time.monotonic()
    logger.info("Bulk job %s started: %s of %s users", job.pk, job.action, job.total)
    try:
        actor = _job_actor(job)
        _run_users(actor, job)
    except PermissionDenied as error:
        job.status = JobStatus.FAILED
        job.error = str(error)
    except Exception as error:
        logger.exception("Bulk job %s failed", job.pk)
        job.status = JobStatus.FAILED
        job.error = f"The job stopped after {job.processed} users: {error}"
        raise
    else:
        job.status = (
            JobStatus.FINISHED_WITH_FAILURES if job.failures else JobStatus.SUCCEEDED
        )
    finally:
        job.finished_at = timezone.now()
        job.save()
        logger.info(
            "Bulk job %s finished with status %s in %.1f s (%s failures)",
            job.pk,
            job.status,
            time.monotonic() - started,
            len(job.failures),
        )
    return job


def _run_users(actor: Actor, job: UserBulkJob) -> None:
    for start in range(0, len(job.user_ids), PROGRESS_EVERY):
        chunk = job.user_ids[start : start + PROGRESS_EVERY]
        users = PingIDUser.objects.for_organization(job.organization).in_bulk(chunk)
        for user_id in chunk:
            _run_one(actor, job, user_id, users.get(user_id))
        UserBulkJob.objects.filter(pk=job.pk).update(
            processed=job.processed, succeeded=job.succeeded, failures=job.failures
        )


def _run_one(
    actor: Actor, job: UserBulkJob, user_id: int, user: PingIDUser | None
) -> None:
    job.processed += 1
    if user is None:
        job.failures.append(
            {
                "user_id": user_id,
                "username": "",
                "message": "This user no longer exists: it was removed meanwhile.",
            }
        )
        return
    try:
        _act(actor, job, user)
    except (ServiceError, ConflictError, PermissionDenied) as error:
        message = getattr(error, "message", None) or str(error)
        job.failures.append(
            {"user_id": user_id, "username": user.username, "message": message}
        )
        return
    job.succeeded += 1
