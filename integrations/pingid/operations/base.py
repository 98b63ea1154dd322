"""Shared parts of the operation modules: the operation record and lookups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from devices.models import Device
from integrations.pingid.authentication import SignedCall
from integrations.pingid.errors import ErrorId, PingIDError
from pingid_portal.errors import excerpt
from pingid_portal.permissions import Action
from users.models import PingIDUser
from users.selectors import user_get_by_username

PINGID_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


@dataclass(frozen=True)
class Operation:
    # The lowercase name in the URL path.
    path: str
    # PingID's name of the operation, used in messages.
    name: str
    # The permission-table action a settings file's role needs for this operation.
    action: Action
    handler: Callable[[SignedCall], dict[str, Any]]

    def run(self, call: SignedCall) -> dict[str, Any]:
        return self.handler(call)


def pingid_time(value: datetime | None) -> str | None:
    """Format an instant as PingID does: UTC `yyyy-MM-dd HH:mm:ss.SSS`."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime(PINGID_TIME_FORMAT)[:-3]


def epoch_millis(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def username_of(call: SignedCall, field: str = "userName") -> str:
    """Return the user name from `field` (`userName` or `username`, by operation)."""
    return call.body.text(field, required=True)


def user_find(call: SignedCall, field: str = "userName") -> PingIDUser:
    """Return the PingID user named by `field` (any case of it), or raise 10564."""
    username = username_of(call, field)
    user = user_get_by_username(call.organization, username)
    if user is None:
        raise PingIDError(
            ErrorId.USER_NOT_FOUND,
            f"User {excerpt(username)} does not exist in this "
            f"organization: check {call.body.spelling(field)}, or add the user with "
            "adduser.",
        )
    return user


def device_find(call: SignedCall, user: PingIDUser) -> Device:
    """Return the user's device named by deviceId, or raise an invalid-input error."""
    device_id = call.body.integer("deviceId", minimum=1)
    if device_id is None:
        raise PingIDError(
            ErrorId.INVALID_INPUT, "deviceId is missing: send it in reqBody."
        )
    device = Device.objects.filter(pk=device_id, user=user).first()
    if device is None:
        raise PingIDError(
            ErrorId.INVALID_INPUT,
            f"Invalid {call.body.spelling('deviceId')} {device_id}: user "
            f"{user.username!r} has no such device. getuserdetails lists the "
            "user's devices.",
        )
    return device


def device_details(device: Device) -> dict[str, Any]:
    return {
        "deviceId": device.pk,
        "type": device.type,
        "deviceRole": device.role,
        "nickname": device.nickname,
        "deviceModel": device.model,
        "osVersion": device.os_version,
        "appVersion": device.app_version,
        "enrollment": pingid_time(device.paired_at),
        "displayID": device.display_id,
        "phoneNumber": device.phone_number,
        "countryCode": device.country_code,
        "email": device.email,
        "pushEnabled": device.push_enabled,
        "blocked": device.blocked,
    }


def user_details(user: PingIDUser) -> dict[str, Any]:
    """Return PingID's userDetails of a user, with devices and services."""
    now = timezone.now()
    devices = list(Device.objects.filter(user=user).order_by("order", "id"))
    services = list(user.services.all())
    primary = next((d for d in devices if d.role == "PRIMARY"), None)
    bypassed = [row for row in services if row.is_bypassed(now)]
    bypass_ends = [row.bypass_until for row in bypassed if row.bypass_until]
    return {
        "userId": user.pk,
        "userName": user.username,
        "fname": user.first_name,
        "lname": user.last_name,
        "email": user.email,
        "role": user.role,
        "status": user.status,
        "lastLogin": pingid_time(user.last_authenticated_at),
        "userInBypass": bool(bypassed),
        "bypassExpiration": epoch_millis(max(bypass_ends)) if bypass_ends else None,
        "deviceDetails": device_details(primary) if primary else None,
        "devicesDetails": [device_details(device) for device in devices],
        "spList": [
            {
                "spAlias": row.service,
                "status": row.status(now),
                "bypassExpiration": epoch_millis(row.bypass_until),
                "bypassUnlimited": row.bypass_unlimited,
            }
            for row in services
        ],
    }
