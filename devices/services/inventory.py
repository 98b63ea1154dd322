"""Unpair, make primary, reorder, rename, block and unblock devices."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from activity.services import event_record
from devices.models import Device, DeviceRole, UnpairReason
from devices.services.common import (
    device_lock,
    device_snapshot,
    orders_compact,
    status_set,
    user_lock,
)
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.permissions import Action
from users.models import PingIDUser, UserStatus

logger = logging.getLogger(__name__)

NICKNAME_MAX_LENGTH = Device._meta.get_field("nickname").max_length or 100


def _reason_check(reason: str) -> str:
    if reason not in UnpairReason.values:
        choices = ", ".join(UnpairReason.values)
        raise ServiceError(
            f"Invalid unpair reason {reason!r}: choose one of {choices}.",
            field="reason",
        )
    return reason


def _after_removal(user: PingIDUser, removed_primary: bool) -> Device | None:
    """Promote the first remaining device when the primary went; return it.

    With no device left the user must pair again (PENDING_CHANGE_DEVICE).
    """
    orders_compact(user)
    remaining = Device.objects.filter(user=user)
    if not remaining.exists():
        if user.status != UserStatus.SUSPENDED:
            status_set(user, UserStatus.PENDING_CHANGE_DEVICE)
        return None
    if not removed_primary:
        return None
    # A blocked device cannot authenticate, so it is promoted only when no other is left.
    promoted = remaining.order_by("blocked", "order", "id").first()
    assert promoted is not None
    promoted.role = DeviceRole.PRIMARY
    promoted.save(update_fields=["role"])
    return promoted


def device_unpair(
    *, actor: Actor, device: Device, reason: str, note: str = ""
) -> Device | None:
    """Unpair one device; return the device promoted to primary, if any.

    Raises `ConflictError` (code `already_unpaired`) when someone else
    unpaired it first.
    """
    actor.require(Action.DEVICE_MANAGE)
    _reason_check(reason)
    with transaction.atomic():
        user, locked = device_lock(actor=actor, device=device)
        before = device_snapshot(locked)
        status_before = user.status
        was_primary = locked.role == DeviceRole.PRIMARY
        locked.delete()
        promoted = _after_removal(user, was_primary)
        event_record(
            action="device.unpair",
            actor=actor,
            pingid_user=user,
            device=device,
            target_type="device",
            target_id=before["id"],
            target_display=str(device),
            before={"device": before, "user_status": status_before},
            after={
                "promoted_device_id": promoted.pk if promoted else None,
                "user_status": user.status,
            },
            reason=reason,
            message=note,
        )
    logger.info("Device %s of PingID user %s unpaired", before["id"], user.pk)
    return promoted


def device_unpair_all(
    *, actor: Actor, user: PingIDUser, reason: str, note: str = ""
) -> int:
    """Unpair every device of a user; return how many were unpaired."""
    actor.require(Action.DEVICE_MANAGE)
    _reason_check(reason)
    with transaction.atomic():
        user = user_lock(actor=actor, user=user)
        devices = list(Device.objects.select_for_update().filter(user=user))
        if not devices:
            raise ConflictError(
                f"PingID user {user.username} has no paired device left.",
                code="already_unpaired",
            )
        status_before = user.status
        Device.objects.filter(pk__in=[d.pk for d in devices]).delete()
        _after_removal(user, removed_primary=False)
        event_record(
            action="device.unpair_all",
            actor=actor,
            pingid_user=user,
            before={
                "devices": [device_snapshot(d) for d in devices],
                "user_status": status_before,
            },
            after={"user_status": user.status},
            reason=reason,
            message=note,
        )
    logger.info("%s devices of PingID user %s unpaired", len(devices), user.pk)
    return len(devices)


def device_set_primary(*, actor: Actor, device: Device) -> Device:
    """Make a device the user's primary; the old primary becomes secondary."""
    actor.require(Action.DEVICE_MANAGE)
    with transaction.atomic():
        user, locked = device_lock(actor=actor, device=device)
        if locked.role == DeviceRole.PRIMARY:
            return locked
        if locked.blocked:
            raise ServiceError(
                f"Device {locked} is blocked: unblock it before making it primary.",
                code="device_blocked",
            )
        old = Device.objects.filter(user=user, role=DeviceRole.PRIMARY).first()
        if old is not None:
            old.role = DeviceRole.SECONDARY
            old.save(update_fields=["role"])
        locked.role = DeviceRole.PRIMARY
        locked.save(update_fields=["role"])
        event_record(
            action="device.set_primary",
            actor=actor,
            pingid_user=user,
            device=locked,
            target=locked,
            before={"primary_device_id": old.pk if old else None},
            after={"primary_device_id": locked.pk},
        )
    return locked


def device_reorder(
    *, actor: Actor, user: PingIDUser, device_ids: list[int]
) -> list[Device]:
    """Put the user's devices in the given order.

    `device_ids` must list every device of the user exactly once; otherwise the
    devices changed since the caller looked and `ConflictError` is raised.
    """
    actor.require(Action.DEVICE_MANAGE)
    with transaction.atomic():
        user = user_lock(actor=actor, user=user)
        devices = {
            d.pk: d for d in Device.objects.select_for_update().filter(user=user)
        }
        if len(set(device_ids)) != len(device_ids) or set(device_ids) != set(devices):
            raise ConflictError(
                f"The devices of {user.username} changed; reload the page and "
                "order them again.",
                code="devices_changed",
                field="device_ids",
            )
        before = [d.pk for d in sorted(devices.values(), key=lambda d: d.order)]
        if before == device_ids:
            return [devices[pk] for pk in device_ids]
        for index, pk in enumerate(device_ids):
            device = devices[pk]
            if device.order != index:
                device.order = index
                device.save(update_fields=["order"])
        event_record(
            action="device.reorder",
            actor=actor,
            pingid_user=user,
            before={"device_ids": before},
            after={"device_ids": device_ids},
        )
    return [devices[pk] for pk in device_ids]


def device_move(*, actor: Actor, device: Device, position: int) -> list[Device]:
    """Move one device to `position` (0 first) among its user's devices."""
    ids = list(
        Device.objects.filter(user_id=device.user_id).values_list("pk", flat=True)
    )
    if device.pk not in ids:
        raise ConflictError(
            f"Device {device} is already unpaired.", code="already_unpaired"
        )
    if position < 0 or position >= len(ids):
        raise ServiceError(
            f"Invalid position {position}: use 0 to {len(ids) - 1}.", field="position"
        )
    ids.remove(device.pk)
    ids.insert(position, device.pk)
    return device_reorder(actor=actor, user=device.user, device_ids=ids)


def device_rename(*, actor: Actor, device: Device, nickname: str) -> Device:
    """Set a device's nickname; an empty nickname removes it."""
    actor.require(Action.DEVICE_MANAGE)
    nickname = nickname.strip()
    if len(nickname) > NICKNAME_MAX_LENGTH:
        raise ServiceError(
            f"The nickname has {len(nickname)} characters: use at most "
            f"{NICKNAME_MAX_LENGTH}.",
            field="nickname",
        )
    if any(not ch.isprintable() for ch in nickname):
        raise ServiceError(
            "The nickname contains control characters: use printable text only.",
            field="nickname",
        )
    with transaction.atomic():
        user, locked = device_lock(actor=actor, device=device)
        if locked.nickname == nickname:
            return locked
        before = locked.nickname
        locked.nickname = nickname
        locked.save(update_fields=["nickname"])
        event_record(
            action="device.rename",
            actor=actor,
            pingid_user=user,
            device=locked,
            target=locked,
            before={"nickname": before},
            after={"nickname": nickname},
        )
    return locked


def _blocked_set(*, actor: Actor, device: Device, blocked: bool, reason: str) -> Device:
    actor.require(Action.DEVICE_MANAGE)
    with transaction.atomic():
        user, locked = device_lock(actor=actor, device=device)
        if locked.blocked == blocked:
            state = "blocked" if blocked else "not blocked"
            raise ConflictError(
                f"Device {locked} is already {state}.",
                code="already_blocked" if blocked else "not_blocked",
            )
        locked.blocked = blocked
        locked.blocked_at = timezone.now() if blocked else None
        locked.save(update_fields=["blocked", "blocked_at"])
        event_record(
            action="device.block" if blocked else "device.unblock",
            actor=actor,
            pingid_user=user,
            device=locked,
            target=locked,
            before={"blocked": not blocked},
            after={"blocked": blocked},
            reason=reason,
        )
    return locked


def device_block(*, actor: Actor, device: Device, reason: str = "") -> Device:
    """Block a device: it stays paired but cannot authenticate."""
    return _blocked_set(actor=actor, device=device, blocked=True, reason=reason)


def device_unblock(*, actor: Actor, device: Device, reason: str = "") -> Device:
    return _blocked_set(actor=actor, device=device, blocked=False, reason=reason)
