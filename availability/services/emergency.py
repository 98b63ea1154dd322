"""Emergency bypass: MFA skipped organization-wide until a set end."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from activity.models import Category
from activity.services import event_record
from availability.models import EmergencyBypass
from availability.services.switch import clean_reason
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.permissions import Action
from pingid_portal.times import local_time_text
from users.models import Service

logger = logging.getLogger(__name__)


def _bypass_state(bypass: EmergencyBypass) -> dict[str, object]:
    return {
        "services": bypass.services,
        "starts_at": bypass.starts_at.isoformat(),
        "ends_at": bypass.ends_at.isoformat(),
        "ended_early_at": bypass.ended_early_at.isoformat()
        if bypass.ended_early_at
        else None,
    }


def _validate_services(services: list[str]) -> list[str]:
    unknown = [name for name in services if name not in Service.values]
    if unknown:
        raise ServiceError(
            f"Service {unknown[0]!r} is unknown: choose from "
            f"{', '.join(Service.values)}, or none for every service.",
            field="services",
        )
    return sorted(set(services), key=Service.values.index)


def _validate_end(ends_at: datetime, now: datetime) -> None:
    if timezone.is_naive(ends_at):
        raise ServiceError(
            "End time has no time zone: give it with an offset.", field="ends_at"
        )
    if ends_at <= now:
        raise ServiceError(
            "End time is in the past: choose a time after now.", field="ends_at"
        )
    max_hours = settings.AVAILABILITY_EMERGENCY_BYPASS_MAX_HOURS
    if ends_at > now + timedelta(hours=max_hours):
        raise ServiceError(
            f"End time is more than {max_hours} hours away: choose an earlier end, "
            "and start a new bypass later if the outage lasts.",
            field="ends_at",
        )


def emergency_bypass_start(
    *,
    actor: Actor,
    ends_at: datetime,
    reason: str,
    services: list[str] | None = None,
) -> EmergencyBypass:
    """Start an emergency bypass now. Only one may be in force at a time."""
    actor.require(Action.AVAILABILITY_MANAGE)
    now = timezone.now()
    reason = clean_reason(reason, required=True)
    chosen = _validate_services(services or [])
    _validate_end(ends_at, now)

    with transaction.atomic():
        active = (
            EmergencyBypass.objects.select_for_update()
            .for_organization(actor.organization)
            .filter(ends_at__gt=now, ended_early_at__isnull=True)
            .first()
        )
        if active is not None:
            raise ConflictError(
                f"An emergency bypass is already in force until "
                f"{local_time_text(active.ends_at, actor.time_zone)}: end it first.",
                code="emergency_bypass_active",
            )
        bypass = EmergencyBypass.objects.create(
            organization=actor.organization,
            services=chosen,
            reason=reason,
            starts_at=now,
            ends_at=ends_at,
            started_by=actor.display,
        )
        event_record(
            actor=actor,
            action="availability.emergency_bypass_start",
            target=bypass,
            after=_bypass_state(bypass),
            reason=reason,
        )
    logger.warning(
        "Emergency bypass %s started for organization %s until %s",
        bypass.pk,
        actor.organization.pk,
        ends_at.isoformat(),
    )
    return bypass


def emergency_bypass_end(*, actor: Actor, bypass: EmergencyBypass) -> EmergencyBypass:
    """End an emergency bypass before its end time."""
    actor.require(Action.AVAILABILITY_MANAGE)
    now = timezone.now()
    with transaction.atomic():
        locked = EmergencyBypass.objects.select_for_update().get(pk=bypass.pk)
        if not locked.is_active(now):
            raise ConflictError(
                "This emergency bypass has already ended: nothing changed.",
                code="emergency_bypass_ended",
            )
        before = _bypass_state(locked)
        locked.ended_early_at = now
        locked.ended_by = actor.display
        locked.end_recorded_at = now
        locked.save(update_fields=["ended_early_at", "ended_by", "end_recorded_at"])
        event_record(
            actor=actor,
            action="availability.emergency_bypass_end",
            target=locked,
            before=before,
            after=_bypass_state(locked),
            message="The emergency bypass was ended early.",
        )
    logger.warning(
        "Emergency bypass %s ended early in organization %s",
        locked.pk,
        actor.organization.pk,
    )
    return locked


def emergency_bypass_record_ended(*, now: datetime) -> int:
    """Write the end event of every bypass that reached its end time, once each.

    A bypass stops applying at `ends_at` whether or not this has run; this only
    records the end in the activity log. Returns how many ends it recorded.
    """
    recorded = 0
    due = EmergencyBypass.objects.filter(
        end_recorded_at__isnull=True, ends_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            bypass = (
                EmergencyBypass.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, end_recorded_at__isnull=True)
                .select_related("organization")
                .first()
            )
            if bypass is None:
                continue
            bypass.end_recorded_at = now
            bypass.save(update_fields=["end_recorded_at"])
            event_record(
                actor=Actor.system(bypass.organization),
                action="availability.emergency_bypass_end",
                category=Category.SYSTEM,
                target=bypass,
                after=_bypass_state(bypass),
                message="The emergency bypass reached its end time.",
                occurred_at=bypass.ends_at,
            )
            recorded += 1
    if recorded:
        logger.info("Recorded the end of %s emergency bypasses", recorded)
    return recorded
