"""User operations: add, details, edit, delete, suspend, activate, bypass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction

from devices.services import activation_code_issue
from integrations.pingid.authentication import SignedCall
from integrations.pingid.errors import ErrorId, PingIDError
from integrations.pingid.operations.base import user_details, user_find, username_of
from integrations.pingid.operations.service_errors import pingid_error_from
from pingid_portal.errors import ServiceError, excerpt
from users.models import PingIDRole, UserStatus
from users.services import (
    user_activate,
    user_bypass,
    user_bypass_end,
    user_create,
    user_remove,
    user_suspend,
    user_update,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
# Largest epoch milliseconds that a datetime represents, 9999-12-31 23:59:59.999 UTC.
_LATEST_MILLIS = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // _MILLISECOND

# Users who may receive an activation code: nothing paired yet, or pairing again.
_AWAITING_DEVICE = (
    UserStatus.NOT_ACTIVE,
    UserStatus.PENDING,
    UserStatus.PENDING_ACTIVATION,
    UserStatus.PENDING_CHANGE_DEVICE,
)


def _reason(call: SignedCall, verb: str) -> str:
    return (
        f"{verb} through the PingID API with settings file {call.settings_file.token}"
    )


def _role(call: SignedCall) -> str:
    role = call.body.text("role", default=PingIDRole.REGULAR)
    if role.upper() not in PingIDRole.values:
        raise PingIDError(
            ErrorId.INVALID_INPUT,
            f"Invalid {call.body.spelling('role')} {excerpt(role)}: send "
            f"{' or '.join(PingIDRole.values)}.",
        )
    return role.upper()


def _activation_code(call: SignedCall, user: Any) -> str:
    _, code = activation_code_issue(
        actor=call.actor,
        user=user,
        device_type=call.body.text("deviceType"),
    )
    return code


def add_user(call: SignedCall) -> dict[str, Any]:
    body = call.body
    role = _role(call)
    try:
        with transaction.atomic():
            user = user_create(
                actor=call.actor,
                username=username_of(call),
                first_name=body.text("fName"),
                last_name=body.text("lName"),
                email=body.text("email"),
                role=role,
            )
            fields: dict[str, Any] = {}
            if body.boolean("activateUser"):
                fields["activationCode"] = _activation_code(call, user)
    except ServiceError as error:
        raise pingid_error_from(error, body=call.body) from error
    # Issuing an activation code changed the status on another copy of the row.
    user.refresh_from_db()
    fields["userDetails"] = user_details(user)
    return fields


def get_user_details(call: SignedCall) -> dict[str, Any]:
    return {"userDetails": user_details(user_find(call))}


def edit_user(call: SignedCall) -> dict[str, Any]:
    """Replace the user's profile: omitted fields become empty."""
    user = user_find(call)
    body = call.body
    role = _role(call)
    try:
        with transaction.atomic():
            user = user_update(
                actor=call.actor,
                user=user,
                first_name=body.text("fName"),
                last_name=body.text("lName"),
                email=body.text("email"),
                role=role,
            )
            fields: dict[str, Any] = {}
            if body.boolean("activateUser") and user.status in _AWAITING_DEVICE:
                fields["activationCode"] = _activation_code(call, user)
    except ServiceError as error:
        raise pingid_error_from(
            error, ErrorId.CANNOT_UPDATE_USER, body=call.body
        ) from error
    user.refresh_from_db()
    fields["userDetails"] = user_details(user)
    return fields


def delete_user(call: SignedCall) -> dict[str, Any]:
    user = user_find(call)
    try:
        user_remove(actor=call.actor, user=user, reason=_reason(call, "Deleted"))
    except ServiceError as error:
        raise pingid_error_from(
            error, ErrorId.USER_DELETION_FAILED, body=call.body
        ) from error
    return {}


def suspend_user(call: SignedCall) -> dict[str, Any]:
    user = user_find(call)
    if user.status != UserStatus.ACTIVE:
        raise PingIDError(
            ErrorId.CANNOT_SUSPEND,
            f"Cannot suspend user {user.username!r}: status is {user.status}, and "
            "only an ACTIVE user (one with a paired device) can be suspended. "
            "Nothing was changed.",
        )
    try:
        user_suspend(actor=call.actor, user=user, reason=_reason(call, "Suspended"))
    except ServiceError as error:
        raise pingid_error_from(
            error, ErrorId.CANNOT_SUSPEND, body=call.body
        ) from error
    return {}


def activate_user(call: SignedCall) -> dict[str, Any]:
    """Re-enable a suspended user, or give a pending user an activation code."""
    user = user_find(call)
    try:
        if user.status == UserStatus.SUSPENDED:
            user_activate(
                actor=call.actor, user=user, reason=_reason(call, "Activated")
            )
            return {}
        if user.status in _AWAITING_DEVICE:
            return {"activationCode": _activation_code(call, user)}
    except ServiceError as error:
        raise pingid_error_from(
            error, ErrorId.ACTIVATION_FAILED, body=call.body
        ) from error
    raise PingIDError(
        ErrorId.CANNOT_ACTIVATE,
        f"Cannot activate user {user.username!r}: the user is already active. "
        "Nothing was changed; to pair another device, call getactivationcode.",
    )


def _bypass_until(call: SignedCall) -> datetime | None:
    if not call.body.has("bypassUntil"):
        raise PingIDError(
            ErrorId.INVALID_INPUT,
            "bypassUntil is missing: send epoch milliseconds, or null to end the bypass.",
        )
    millis = call.body.integer("bypassUntil", minimum=0, maximum=_LATEST_MILLIS)
    if millis is None:
        return None
    return _EPOCH + millis * _MILLISECOND


def toggle_user_bypass(call: SignedCall) -> dict[str, Any]:
    """Bypass MFA until bypassUntil for spAliases (all services when absent), or end it."""
    user = user_find(call)
    until = _bypass_until(call)
    services = call.body.string_list("spAliases")
    try:
        if until is None:
            user_bypass_end(
                actor=call.actor,
                user=user,
                services=services,
                reason=_reason(call, "Ended"),
            )
        else:
            user_bypass(
                actor=call.actor,
                user=user,
                services=services,
                until=until,
                reason=_reason(call, "Bypassed"),
            )
    except ServiceError as error:
        raise pingid_error_from(error, body=call.body) from error
    return {}
