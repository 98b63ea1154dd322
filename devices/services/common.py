"""Helpers shared by the device services: locking, snapshots, hashing, pairing."""

from __future__ import annotations

import secrets
from typing import Any

from django.db.models import Max

from devices.models import Device, DeviceRole
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from users.models import PingIDUser, UserStatus

# Statuses a user leaves for ACTIVE once a device is paired.
PAIRABLE_STATUSES = {
    UserStatus.PENDING,
    UserStatus.NOT_ACTIVE,
    UserStatus.PENDING_ACTIVATION,
    UserStatus.PENDING_CHANGE_DEVICE,
    UserStatus.ACTIVE,
}


def random_digits(length: int) -> str:
    return str(secrets.randbelow(10**length)).zfill(length)


def user_lock(*, actor: Actor, user: PingIDUser) -> PingIDUser:
    """Lock the user's row for this transaction; every device change of a user
    takes this lock first, so changes to one user's devices run one at a time."""
    locked = (
        PingIDUser.objects.select_for_update()
        .filter(pk=user.pk, organization=actor.organization)
        .first()
    )
    if locked is None:
        raise ConflictError(
            f"PingID user {user.username!r} no longer exists: another administrator "
            "or a client removed it. Nothing was changed.",
            code="user_not_found",
        )
    return locked


def device_lock(*, actor: Actor, device: Device) -> tuple[PingIDUser, Device]:
    """Lock a device and its user, or raise `ConflictError` when it is unpaired."""
    user = user_lock(actor=actor, user=device.user)
    locked = (
        Device.objects.select_for_update()
        .filter(pk=device.pk, organization=actor.organization, user=user)
        .first()
    )
    if locked is None:
        raise ConflictError(
            f"Device {device} of {user.username} is already unpaired.",
            code="already_unpaired",
        )
    locked.user = user
    return user, locked


def device_snapshot(device: Device) -> dict[str, Any]:
    return {
        "id": device.pk,
        "type": device.type,
        "role": device.role,
        "order": device.order,
        "nickname": device.nickname,
        "model": device.model,
        "display_id": device.display_id,
        "blocked": device.blocked,
    }


def status_set(user: PingIDUser, status: str) -> None:
    if user.status != status:
        user.status = status
        user.save(update_fields=["status", "updated_at"])


def device_create(*, user: PingIDUser, **fields: Any) -> Device:
    """Add a device after the user's others; the first one becomes primary.

    The caller holds the user's lock, so the order and the role are not raced.
    """
    if user.status == UserStatus.SUSPENDED:
        raise ServiceError(
            f"PingID user {user.username} is suspended: enable the user before "
            "pairing a device.",
            code="user_suspended",
        )
    devices = Device.objects.filter(user=user)
    has_primary = devices.filter(role=DeviceRole.PRIMARY).exists()
    last_order = devices.aggregate(last=Max("order"))["last"]
    device = Device.objects.create(
        organization=user.organization,
        user=user,
        role=DeviceRole.SECONDARY if has_primary else DeviceRole.PRIMARY,
        order=0 if last_order is None else last_order + 1,
        **fields,
    )
    if user.status in PAIRABLE_STATUSES:
        status_set(user, UserStatus.ACTIVE)
    return device


def orders_compact(user: PingIDUser) -> None:
    """Renumber the user's devices 0, 1, 2, ... keeping their order."""
    for index, device in enumerate(Device.objects.filter(user=user)):
        if device.order != index:
            device.order = index
            device.save(update_fields=["order"])
