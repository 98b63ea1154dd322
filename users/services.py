"""State changes of PingID users: create, edit, disable, enable, bypass, remove.

Every function locks the user's row, checks the actor's permission, changes
the state and writes exactly one activity event in the same transaction. A user
that another administrator removed in the meantime raises `ConflictError`.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from activity.services import event_record
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.permissions import Action, has_permission
from users.models import (
    USERNAME_MAX_LENGTH,
    PingIDRole,
    PingIDUser,
    Service,
    UserService,
    UserStatus,
    normalize_username,
)

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("first_name", "last_name", "email", "role", "status", "services")
REASON_MAX_LENGTH = 1000


# Validation -------------------------------------------------------------


def clean_username(username: str) -> str:
    """Return the stored form of `username`, or raise `ServiceError` naming the fix."""
    username = normalize_username(username or "")
    if not username.strip():
        raise ServiceError("Username is missing: enter a username.", field="username")
    if len(username) > USERNAME_MAX_LENGTH:
        raise ServiceError(
            f"Username is too long ({len(username)} characters): use at most "
            f"{USERNAME_MAX_LENGTH}.",
            field="username",
        )
    if any(unicodedata.category(char) == "Cc" for char in username):
        raise ServiceError(
            "Username contains a control character (such as a tab or line break): "
            "remove it.",
            field="username",
        )
    return username


def _clean_text(value: object, field: str, max_length: int) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        label = field.replace("_", " ").capitalize()
        raise ServiceError(
            f"{label} is too long ({len(text)} characters): use at most {max_length}.",
            field=field,
        )
    if any(unicodedata.category(char) == "Cc" for char in text):
        label = field.replace("_", " ").capitalize()
        raise ServiceError(
            f"{label} contains a control character: remove it.", field=field
        )
    return text


def _clean_email(value: object) -> str:
    email = _clean_text(value, "email", 254)
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError as error:
        raise ServiceError(
            f"E-mail address {email!r} is invalid: enter an address like "
            "name@example.com, or leave it empty.",
            field="email",
        ) from error
    return email


def _clean_choice(value: object, field: str, choices: type[Any]) -> str:
    text = str(value or "").strip().upper()
    if text not in choices.values:
        raise ServiceError(
            f"{field.capitalize()} {value!r} is invalid: use one of "
            f"{', '.join(choices.values)}.",
            field=field,
        )
    return text


def clean_services(
    services: Iterable[str] | None, field: str = "services"
) -> list[str]:
    """Return the valid service names of `services`, in the order of `Service`."""
    if services is None:
        return list(Service.values)
    names = {str(name).strip().lower() for name in services}
    unknown = sorted(names - set(Service.values))
    if unknown:
        raise ServiceError(
            f"Unknown service {', '.join(unknown)}: use {', '.join(Service.values)}.",
            field=field,
        )
    return [name for name in Service.values if name in names]


def clean_reason(reason: str | None, *, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ServiceError(
            "Reason is missing: say why, for the activity log.", field="reason"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(
            f"Reason is too long ({len(reason)} characters): use at most "
            f"{REASON_MAX_LENGTH}.",
            field="reason",
        )
    return reason


# State snapshots and locking ----------------------------------------------


def user_state(
    user: PingIDUser, services: Iterable[UserService] | None = None
) -> dict[str, Any]:
    """Return the values of `user` recorded as `before` and `after` in events."""
    rows = list(services) if services is not None else list(user.services.all())
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "status": user.status,
        "services": {row.service: service_state(row) for row in rows},
    }


def service_state(row: UserService) -> dict[str, Any]:
    return {
        "enabled": row.enabled,
        "bypass_until": row.bypass_until.isoformat() if row.bypass_until else None,
        "bypass_unlimited": row.bypass_unlimited,
    }


def lock_user(actor: Actor, user: PingIDUser) -> PingIDUser:
    """Lock and reload `user`; raise `ConflictError` when it no longer exists."""
    try:
        return PingIDUser.objects.select_for_update().get(
            pk=user.pk, organization=actor.organization
        )
    except PingIDUser.DoesNotExist as error:
        raise ConflictError(
            f"PingID user {user.username!r} no longer exists: another administrator "
            "or a client removed it. Nothing was changed; see the activity log.",
            code="user_removed",
        ) from error


def _locked_services(user: PingIDUser) -> list[UserService]:
    return list(UserService.objects.select_for_update().filter(user=user))


# Create and edit ---------------------------------------------------------


def user_create(
    *,
    actor: Actor,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    role: str = PingIDRole.REGULAR,
    status: str = UserStatus.NOT_ACTIVE,
    services: Iterable[str] | None = None,
) -> PingIDUser:
    """Create a PingID user with the given services (all six by default)."""
    actor.require(Action.USER_MANAGE)
    user = PingIDUser(
        organization=actor.organization,
        username=clean_username(username),
        first_name=_clean_text(first_name, "first_name", 150),
        last_name=_clean_text(last_name, "last_name", 150),
        email=_clean_email(email),
        role=_clean_choice(role, "role", PingIDRole),
        status=_clean_choice(status, "status", UserStatus),
    )
    service_names = clean_services(services)
    try:
        with transaction.atomic():
            user.save()
            rows = UserService.objects.bulk_create(
                UserService(user=user, service=name) for name in service_names
            )
            event_record(
                actor=actor,
                action="user.create",
                pingid_user=user,
                after=user_state(user, rows),
            )
    except IntegrityError as error:
        raise ServiceError(
            f"A PingID user named {user.username!r} already exists (usernames are "
            "matched without regard to case): choose another username or edit "
            "that user.",
            code="duplicate",
            field="username",
        ) from error
    return user


def user_update(*, actor: Actor, user: PingIDUser, **fields: Any) -> PingIDUser:
    """Change profile fields, status or enabled services; unchanged values are skipped.

    Accepted fields: first_name, last_name, email, role, status and services
    (the complete list of enabled services).
    """
    actor.require(Action.USER_MANAGE)
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ServiceError(
            f"Field {', '.join(unknown)} cannot be changed here: change "
            f"{', '.join(EDITABLE_FIELDS)}.",
            field=unknown[0],
        )
    cleaned = clean_user_fields(fields)
    with transaction.atomic():
        user = lock_user(actor, user)
        rows = _locked_services(user)
        before = user_state(user, rows)
        changed = _apply_profile(user, cleaned)
        if "services" in cleaned:
            changed |= _apply_enabled_services(user, rows, cleaned["services"])
        if not changed:
            return user
        user.save()
        rows = list(UserService.objects.filter(user=user))
        event_record(
            actor=actor,
            action="user.update",
            pingid_user=user,
            before=before,
            after=user_state(user, rows),
        )
    return user


def clean_user_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate the editable fields present in `fields`; raise `ServiceError` on the first bad one."""
    cleaned: dict[str, Any] = {}
    for name in ("first_name", "last_name"):
        if name in fields:
            cleaned[name] = _clean_text(fields[name], name, 150)
    if "email" in fields:
        cleaned["email"] = _clean_email(fields["email"])
    if "role" in fields:
        cleaned["role"] = _clean_choice(fields["role"], "role", PingIDRole)
    if "status" in fields:
        cleaned["status"] = _clean_choice(fields["status"], "status", UserStatus)
        if cleaned["status"] == UserStatus.SUSPENDED:
            raise ServiceError(
                "Status SUSPENDED is set by disabling the user, which needs a reason: "
                "use the disable action.",
                field="status",
            )
    if "services" in fields:
        cleaned["services"] = clean_services(fields["services"] or [])
    return cleaned


def _apply_profile(user: PingIDUser, cleaned: dict[str, Any]) -> bool:
    changed = False
    for name in ("first_name", "last_name", "email", "role", "status"):
        if name in cleaned and getattr(user, name) != cleaned[name]:
            setattr(user, name, cleaned[name])
            changed = True
    if user.status != UserStatus.SUSPENDED:
        user.status_before_suspension = ""
    return changed


def _apply_enabled_services(
    user: PingIDUser, rows: list[UserService], enabled: list[str]
) -> bool:
    changed = False
    by_name = {row.service: row for row in rows}
    for name in Service.values:
        row = by_name.get(name)
        want = name in enabled
        if row is None and want:
            UserService.objects.create(user=user, service=name)
            changed = True
        elif row is not None and row.enabled != want:
            row.enabled = want
            if not want:
                _clear_bypass(row)
            row.save()
            changed = True
    return changed


def user_mark_authenticated(*, user: PingIDUser, at: datetime) -> None:
    """Store the time of a successful authentication.

    Writes no event: the caller records the authentication itself.
    """
    PingIDUser.objects.filter(pk=user.pk).update(last_authenticated_at=at)


# Disable and enable -------------------------------------------------------


def user_suspend(*, actor: Actor, user: PingIDUser, reason: str) -> PingIDUser:
    """Disable a PingID user (PingID's SuspendUser); they cannot authenticate."""
    actor.require(Action.USER_MANAGE)
    reason = clean_reason(reason)
    with transaction.atomic():
        user = lock_user(actor, user)
        if user.status == UserStatus.SUSPENDED:
            raise ConflictError(
                f"PingID user {user.username!r} is already disabled. Nothing was "
                "changed.",
                code="already_suspended",
            )
        before = {"status": user.status}
        user.status_before_suspension = user.status
        user.status = UserStatus.SUSPENDED
        user.save(update_fields=["status", "status_before_suspension"])
        event_record(
            actor=actor,
            action="user.suspend",
            pingid_user=user,
            before=before,
            after={"status": user.status},
            reason=reason,
        )
    return user


def user_activate(*, actor: Actor, user: PingIDUser, reason: str) -> PingIDUser:
    """Enable a disabled PingID user again, restoring the status they had before."""
    actor.require(Action.USER_MANAGE)
    reason = clean_reason(reason)
    with transaction.atomic():
        user = lock_user(actor, user)
        if user.status != UserStatus.SUSPENDED:
            raise ConflictError(
                f"PingID user {user.username!r} is not disabled (status "
                f"{user.get_status_display()}). Nothing was changed.",
                code="not_suspended",
            )
        user.status = user.status_before_suspension or UserStatus.ACTIVE
        user.status_before_suspension = ""
        user.save(update_fields=["status", "status_before_suspension"])
        event_record(
            actor=actor,
            action="user.activate",
            pingid_user=user,
            before={"status": UserStatus.SUSPENDED.value},
            after={"status": user.status},
            reason=reason,
        )
    return user


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
        raise ServiceError(
            f"End time is too far ahead: your role may bypass MFA for at most "
            f"{hours} hours, until {(now + cap).isoformat(timespec='minutes')}.",
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
    rows = [row for row in _locked_services(user) if row.enabled]
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


def _clear_bypass(row: UserService) -> None:
    row.bypass_until = None
    row.bypass_unlimited = False
    row.bypass_reason = ""
    row.bypass_set_at = None
    row.bypass_set_by = None
    row.bypass_set_by_display = ""
    row.bypass_end_recorded = True


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
            for row in _locked_services(user)
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
            _clear_bypass(row)
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


# Remove ------------------------------------------------------------------


def user_remove(
    *, actor: Actor, user: PingIDUser, service: str | None = None, reason: str = ""
) -> PingIDUser | None:
    """Remove a PingID user from one service, or entirely with their devices.

    Returns the user when one service was removed, None when the user was
    deleted. Their activity events keep the username.
    """
    actor.require(Action.USER_MANAGE)
    reason = clean_reason(reason, required=False)
    if service is not None:
        name = clean_services([service], field="service")[0]
        return _remove_service(actor, user, name, reason)
    with transaction.atomic():
        user = lock_user(actor, user)
        before = user_state(user)
        before["device_count"] = user.devices.count()
        event_record(
            actor=actor,
            action="user.remove",
            pingid_user=user,
            before=before,
            reason=reason,
        )
        user.delete()
    logger.info("PingID user %s removed by %s", before["username"], actor.display)
    return None


def _remove_service(
    actor: Actor, user: PingIDUser, name: str, reason: str
) -> PingIDUser:
    with transaction.atomic():
        user = lock_user(actor, user)
        row = next((row for row in _locked_services(user) if row.service == name), None)
        if row is None or not row.enabled:
            raise ConflictError(
                f"PingID user {user.username!r} is already removed from {name}. "
                "Nothing was changed.",
                code="service_already_removed",
                field="service",
            )
        before = service_state(row)
        row.enabled = False
        _clear_bypass(row)
        row.save()
        event_record(
            actor=actor,
            action="user.remove_service",
            pingid_user=user,
            service=name,
            before={name: before},
            after={name: service_state(row)},
            reason=reason,
        )
    return user
