"""Validation, event snapshots and row locking shared by the user services."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError, excerpt
from users.models import (
    USERNAME_MAX_LENGTH,
    PingIDRole,
    PingIDUser,
    Service,
    UserService,
    UserStatus,
    normalize_username,
)

EDITABLE_FIELDS = ("first_name", "last_name", "email", "role", "status", "services")
REASON_MAX_LENGTH = 1000


# Validation -------------------------------------------------------------


def clean_username(username: str) -> str:
    """Return the stored form of `username`, or raise `ServiceError` naming the fix.

    Spaces around the name are removed, because a pasted name often carries
    them and " sam" cannot be distinguished from "sam" in a list.
    """
    username = normalize_username((username or "").strip())
    if not username:
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
    if any(unicodedata.category(char) == "Cs" for char in username):
        raise ServiceError(
            "Username contains a lone UTF-16 surrogate, which is not a character: "
            "remove it.",
            field="username",
        )
    return username


def clean_text(value: object, field: str, max_length: int) -> str:
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
    if any(unicodedata.category(char) == "Cs" for char in text):
        label = field.replace("_", " ").capitalize()
        raise ServiceError(
            f"{label} contains a lone UTF-16 surrogate, which is not a character: "
            "remove it.",
            field=field,
        )
    return text


def clean_email(value: object) -> str:
    email = clean_text(value, "email", 254)
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


def clean_choice(value: object, field: str, choices: type[Any]) -> str:
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
            f"Unknown service {excerpt(', '.join(unknown))}: use "
            f"{', '.join(Service.values)}.",
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


def clean_user_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate the editable fields present in `fields`; raise `ServiceError` on the first bad one."""
    cleaned: dict[str, Any] = {}
    for name in ("first_name", "last_name"):
        if name in fields:
            cleaned[name] = clean_text(fields[name], name, 150)
    if "email" in fields:
        cleaned["email"] = clean_email(fields["email"])
    if "role" in fields:
        cleaned["role"] = clean_choice(fields["role"], "role", PingIDRole)
    if "status" in fields:
        cleaned["status"] = clean_choice(fields["status"], "status", UserStatus)
        if cleaned["status"] == UserStatus.SUSPENDED:
            raise ServiceError(
                "Status SUSPENDED is set by disabling the user, which needs a reason: "
                "use the disable action.",
                field="status",
            )
    if "services" in fields:
        cleaned["services"] = clean_services(fields["services"] or [])
    return cleaned


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


def locked_services(user: PingIDUser) -> list[UserService]:
    return list(UserService.objects.select_for_update().filter(user=user))


def clear_bypass(row: UserService) -> None:
    row.bypass_until = None
    row.bypass_unlimited = False
    row.bypass_reason = ""
    row.bypass_set_at = None
    row.bypass_set_by = None
    row.bypass_set_by_display = ""
    row.bypass_end_recorded = True
