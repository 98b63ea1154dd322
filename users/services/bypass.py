"""Bypass MFA for a PingID user until an instant, and Resume MFA."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from activity.services import event_record
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.permissions import Action, has_permission
from pingid_portal.times import local_time_text
from users.models import PingIDUser, UserService, UserStatus
from users.services.common import (
    clean_reason,
    clean_services,
    clear_bypass,
    lock_user,
    locked_services,
    service_state,
)

# Bypass ------------------------------------------------------------------


def bypass_cap(actor: Actor) -> timedelta | None:
    """Return the longest bypass `actor` may set, or None when it is unlimited."""
    if has_permission(actor.role, Action.USER_BYPASS_UNLIMITED):
        return None
    return timedelta(hours=actor.organization.help_desk_bypass_cap_hours)


def check_bypass_end(
    *, actor: Actor, until: datetime | None, unlimited: bool, now: datetime
) -> None:
    """Raise `ServiceError` unless `actor` may bypass until `until` (or without end)."""
    actor.require(Action.USER_BYPASS)
    if unlimited:
        if until is not None:
            raise ServiceError(
                "Give either an end time or no end, not both.", field="until"
            )
        actor.require(Action.USER_BYPASS_UNLIMITED)
        return
    if until is None:
        raise ServiceError(
            "End time is missing: choose a duration or an end time.", field="until"
        )
    if timezone.is_naive(until):
        raise ServiceError(
            "End time has no time zone: give it with an offset, such as "
            "2026-12-31T18:00:00+01:00.",
            field="until",
        )
    if until <= now:
        raise ServiceError(
            "End time is in the past: choose a time after now.", field="until"
        )
    cap = bypass_cap(actor)
    if cap is not None and until - now > cap:
        hours = int(cap.total_seconds() // 3600)
        latest = local_time_text(now + cap, actor.time_zone)
        raise ServiceError(
            f"End time is too far ahead: your role may bypass MFA for at most "
            f"{hours} hours, until {latest}.",
            code="bypass_cap",
            field="until",
        )


def user_bypass(
    *,
    actor: Actor,
    user: PingIDUser,
    services: list[str] | None = None,
    until: datetime | None,
    unlimited: bool = False,
    reason: str,
) -> PingIDUser:
    """Skip MFA for `services` (None: all the user's services) until `until`.

    The bypass ends by itself: `UserService.is_bypassed` compares the stored
    end with the current time.
    """
    now = timezone.now()
    check_bypass_end(actor=actor, until=until, unlimited=unlimited, now=now)
    reason = clean_reason(reason)
    names = None if services is None else clean_services(services)
    with transaction.atomic():
        user = lock_user(actor, user)
        if user.status == UserStatus.SUSPENDED:
            raise ServiceError(
                f"PingID user {user.username!r} is disabled: enable them before "
                "bypassing MFA.",
                code="user_suspended",
            )
        rows = _rows_to_bypass(user, names)
        before = {row.service: service_state(row) for row in rows}
        for row in rows:
            row.bypass_until = None if unlimited else until
            row.bypass_unlimited = unlimited
            row.bypass_reason = reason
            row.bypass_set_at = now
            row.bypass_set_by = actor.user
            row.bypass_set_by_display = actor.display
            row.bypass_end_recorded = unlimited
            row.save()
        event_record(
            actor=actor,
            action="user.bypass",
            pingid_user=user,
            service=",".join(row.service for row in rows),
            before=before,
            after={row.service: service_state(row) for row in rows},
            reason=reason,
        )
    return user


def _rows_to_bypass(user: PingIDUser, names: list[str] | None) -> list[UserService]:
    rows = [row for row in locked_services(user) if row.enabled]
    if names is None:
        if not rows:
            raise ServiceError(
                f"PingID user {user.username!r} has no enabled service to bypass.",
                field="services",
            )
        return rows
    if not names:
        raise ServiceError(
            "No service chosen: choose at least one service, or all.",
            field="services",
        )
    enabled = {row.service for row in rows}
    missing = [name for name in names if name not in enabled]
    if missing:
        raise ServiceError(
            f"PingID user {user.username!r} does not use {', '.join(missing)}: "
            f"choose among {', '.join(sorted(enabled)) or 'no service'}.",
            field="services",
        )
    return [row for row in rows if row.service in names]


def user_bypass_end(
    *,
    actor: Actor,
    user: PingIDUser,
    services: list[str] | None = None,
    reason: str = "",
) -> PingIDUser:
    """Resume MFA: end the bypass of `services` (None: every bypassed service)."""
    actor.require(Action.USER_BYPASS)
    reason = clean_reason(reason, required=False)
    names = None if services is None else clean_services(services)
    now = timezone.now()
    with transaction.atomic():
        user = lock_user(actor, user)
        rows = [
            row
            for row in locked_services(user)
            if row.is_bypassed(now) and (names is None or row.service in names)
        ]
        if not rows:
            raise ConflictError(
                f"MFA is not bypassed for PingID user {user.username!r}"
                + (f" on {', '.join(names)}" if names else "")
                + ": the bypass already ended or another administrator ended it. "
                "Nothing was changed.",
                code="not_bypassed",
            )
        before = {row.service: service_state(row) for row in rows}
        for row in rows:
            clear_bypass(row)
            row.save()
        event_record(
            actor=actor,
            action="user.bypass_end",
            pingid_user=user,
            service=",".join(row.service for row in rows),
            before=before,
            after={row.service: service_state(row) for row in rows},
            reason=reason,
        )
    return user
