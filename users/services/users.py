"""Create, edit, disable, enable and remove PingID users."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from activity.services import event_record
from pingid_portal import rows
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.permissions import Action
from users.models import (
    PingIDRole,
    PingIDUser,
    Service,
    UserService,
    UserStatus,
)
from users.services.common import (
    EDITABLE_FIELDS,
    clean_choice,
    clean_email,
    clean_reason,
    clean_services,
    clean_text,
    clean_user_fields,
    clean_username,
    clear_bypass,
    lock_user,
    locked_services,
    service_state,
    user_state,
)

logger = logging.getLogger(__name__)

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
        first_name=clean_text(first_name, "first_name", 150),
        last_name=clean_text(last_name, "last_name", 150),
        email=clean_email(email),
        role=clean_choice(role, "role", PingIDRole),
        status=clean_choice(status, "status", UserStatus),
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
        rows = locked_services(user)
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
                clear_bypass(row)
            row.save()
            changed = True
    return changed


def user_mark_authenticated(*, user: PingIDUser, at: datetime) -> None:
    """Store the time of a successful authentication.

    Writes no event: the caller records the authentication itself.
    """
    rows.row_update(PingIDUser, user.pk, last_authenticated_at=at)


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
        row = next((row for row in locked_services(user) if row.service == name), None)
        if row is None or not row.enabled:
            raise ConflictError(
                f"PingID user {user.username!r} is already removed from {name}. "
                "Nothing was changed.",
                code="service_already_removed",
                field="service",
            )
        before = service_state(row)
        row.enabled = False
        clear_bypass(row)
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
