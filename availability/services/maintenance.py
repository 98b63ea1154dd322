"""Maintenance windows."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from activity.services import event_record
from availability.models import MaintenanceWindow
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.permissions import Action
from pingid_portal.times import local_time_text

MESSAGE_MAX_LENGTH = 500


def _window_state(window: MaintenanceWindow) -> dict[str, object]:
    return {
        "starts_at": window.starts_at.isoformat(),
        "ends_at": window.ends_at.isoformat(),
        "message": window.message,
        "cancelled": window.cancelled_at is not None,
    }


def _validate_window(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if timezone.is_naive(value):
            raise ServiceError(
                "Time has no time zone: give it with an offset.", field=name
            )
    if ends_at <= starts_at:
        raise ServiceError(
            "End is not after start: choose an end later than the start.",
            field="ends_at",
        )
    if ends_at <= now:
        raise ServiceError(
            "End is in the past: a new window must end after now.", field="ends_at"
        )
    max_days = settings.AVAILABILITY_MAINTENANCE_MAX_DAYS_AHEAD
    if starts_at > now + timedelta(days=max_days):
        raise ServiceError(
            f"Start {starts_at:%Y-%m-%d} is more than {max_days} days from now: "
            f"choose a start within {max_days} days.",
            field="starts_at",
        )
    max_hours = settings.AVAILABILITY_MAINTENANCE_MAX_HOURS
    if ends_at - starts_at > timedelta(hours=max_hours):
        raise ServiceError(
            f"Window is longer than {max_hours} hours: split it or shorten it.",
            field="ends_at",
        )


def _clean_message(message: str) -> str:
    message = message.strip()
    if not message:
        raise ServiceError(
            "Message is missing: say what is maintained and what people should expect.",
            field="message",
        )
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ServiceError(
            f"Message is too long ({len(message)} characters): shorten it to "
            f"{MESSAGE_MAX_LENGTH} or fewer.",
            field="message",
        )
    return message


def maintenance_window_create(
    *, actor: Actor, starts_at: datetime, ends_at: datetime, message: str
) -> MaintenanceWindow:
    """Schedule a maintenance window; it may not overlap another one."""
    actor.require(Action.AVAILABILITY_MANAGE)
    message = _clean_message(message)
    _validate_window(starts_at, ends_at, timezone.now())

    with transaction.atomic():
        overlapping = (
            MaintenanceWindow.objects.select_for_update()
            .for_organization(actor.organization)
            .filter(
                cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
            )
            .first()
        )
        if overlapping is not None:
            raise ServiceError(
                "Window overlaps the one from "
                f"{local_time_text(overlapping.starts_at, actor.time_zone)} to "
                f"{local_time_text(overlapping.ends_at, actor.time_zone)}: change "
                "the times or cancel that window.",
                code="overlap",
                field="starts_at",
            )
        window = MaintenanceWindow.objects.create(
            organization=actor.organization,
            starts_at=starts_at,
            ends_at=ends_at,
            message=message,
            created_by=actor.display,
        )
        event_record(
            actor=actor,
            action="availability.maintenance_create",
            target=window,
            after=_window_state(window),
        )
    return window


def maintenance_window_cancel(
    *, actor: Actor, window: MaintenanceWindow
) -> MaintenanceWindow:
    """Cancel a scheduled window, or end one in progress now."""
    actor.require(Action.AVAILABILITY_MANAGE)
    now = timezone.now()
    with transaction.atomic():
        locked = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
        status = locked.status(now)
        if status in ("cancelled", "completed"):
            raise ConflictError(
                f"This maintenance window is already {status}: nothing changed.",
                code=f"maintenance_{status}",
            )
        before = _window_state(locked)
        if status == "in_progress":
            # Ending early keeps the part that happened in the history.
            locked.ends_at = now
        else:
            locked.cancelled_at = now
            locked.cancelled_by = actor.display
        locked.save()
        event_record(
            actor=actor,
            action="availability.maintenance_end"
            if status == "in_progress"
            else "availability.maintenance_cancel",
            target=locked,
            before=before,
            after=_window_state(locked),
        )
    return locked
