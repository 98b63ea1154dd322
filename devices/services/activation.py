"""Activation codes: issue, look up the pairing status, claim and pair."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from activity.services import event_record
from devices.models import ActivationCode, Device, DeviceType, PairingStatus
from devices.services.common import (
    device_create,
    random_digits,
    status_set,
    user_lock,
)
from pingid_portal.actors import Actor
from pingid_portal.crypto import code_hash
from pingid_portal.errors import ServiceError, excerpt
from pingid_portal.permissions import Action
from users.models import PingIDUser, UserStatus

logger = logging.getLogger(__name__)

CODE_LENGTH = 12
HOURS_MIN = 1
HOURS_MAX = 336
HOURS_DEFAULT = 48
# Device types an activation code can pair: the PingID mobile and desktop apps.
APP_DEVICE_TYPES = (DeviceType.ANDROID, DeviceType.IPHONE, DeviceType.DESKTOP)
MOBILE_DEVICE_TYPES = (DeviceType.ANDROID, DeviceType.IPHONE)
_HASH_PURPOSE = "activation-code"


@dataclass(frozen=True)
class PairingState:
    status: str
    device_id: int | None = None


def normalize_code(code: str) -> str:
    """Drop the spaces and dashes people type between digit groups."""
    return "".join(ch for ch in str(code) if ch not in " -")


def format_code(code: str) -> str:
    """Return the code in groups of four digits, as it is shown to people."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def _hours_check(hours: Any) -> int:
    try:
        value = int(hours)
    except (TypeError, ValueError):
        value = None
    if (
        value is None
        or str(value) != str(hours).strip()
        or not (HOURS_MIN <= value <= HOURS_MAX)
    ):
        raise ServiceError(
            f"Invalid validity {excerpt(hours)}: enter whole hours from {HOURS_MIN} to "
            f"{HOURS_MAX}.",
            field="hours",
        )
    return value


def _device_type_check(device_type: str) -> str:
    if device_type and device_type not in APP_DEVICE_TYPES:
        choices = ", ".join(APP_DEVICE_TYPES)
        raise ServiceError(
            f"Invalid device type {excerpt(device_type)} for an activation code: "
            f"choose {choices}, or leave it empty for any mobile app.",
            field="device_type",
        )
    return device_type


def activation_code_issue(
    *, actor: Actor, user: PingIDUser, device_type: str = "", hours: Any = HOURS_DEFAULT
) -> tuple[ActivationCode, str]:
    """Issue a single-use activation code and return it with its 12 digits.

    The digits are returned once and stored only as a keyed hash. Older unused
    codes of the user are revoked. A user with no device becomes
    PENDING_ACTIVATION.
    """
    actor.require(Action.DEVICE_MANAGE)
    hours = _hours_check(hours)
    device_type = _device_type_check(device_type)
    with transaction.atomic():
        user = user_lock(actor=actor, user=user)
        if user.status == UserStatus.SUSPENDED:
            raise ServiceError(
                f"PingID user {user.username} is suspended: enable the user before "
                "issuing an activation code.",
                code="user_suspended",
            )
        now = timezone.now()
        revoked = ActivationCode.objects.filter(
            user=user, paired_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        code, activation = _code_create(
            actor=actor, user=user, device_type=device_type, hours=hours, now=now
        )
        status_before = user.status
        if not user.devices.exists():
            status_set(user, UserStatus.PENDING_ACTIVATION)
        event_record(
            action="device.activation_code_issue",
            actor=actor,
            pingid_user=user,
            target=activation,
            target_display=f"activation code for {user.username}",
            before={"user_status": status_before},
            after={
                "user_status": user.status,
                "device_type": device_type,
                "expires_at": activation.expires_at.isoformat(),
                "revoked_codes": revoked,
            },
        )
    return activation, code


def _code_create(
    *, actor: Actor, user: PingIDUser, device_type: str, hours: int, now: Any
) -> tuple[str, ActivationCode]:
    # A clash with a stored hash is a one-in-10^12 event, so a few tries suffice.
    for _ in range(5):
        code = random_digits(CODE_LENGTH)
        try:
            with transaction.atomic():
                activation = ActivationCode.objects.create(
                    organization=user.organization,
                    user=user,
                    device_type=device_type,
                    code_hash=code_hash(_HASH_PURPOSE, code),
                    created_at=now,
                    expires_at=now + timedelta(hours=hours),
                    issued_by_display=actor.display,
                )
        except IntegrityError:
            continue
        return code, activation
    raise ServiceError("Failed to issue an activation code: try again.", code="retry")


def _code_find(
    organization: Any, code: str, *, lock: bool = False
) -> ActivationCode | None:
    code = normalize_code(code)
    if len(code) != CODE_LENGTH or not code.isdigit():
        return None
    queryset = ActivationCode.objects.filter(
        organization=organization, code_hash=code_hash(_HASH_PURPOSE, code)
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.select_related("device").first()


def _code_state(activation: ActivationCode | None, now: Any) -> PairingState:
    if activation is None:
        return PairingState(PairingStatus.NOT_EXIST)
    if activation.paired_at is not None:
        device = activation.device
        if device is None:
            # The device it paired was unpaired since.
            return PairingState(PairingStatus.NOT_EXIST)
        if device.last_used_at is not None:
            return PairingState(PairingStatus.SUCCESS, device.pk)
        return PairingState(PairingStatus.PAIRED, device.pk)
    if activation.revoked_at is not None or now >= activation.expires_at:
        return PairingState(PairingStatus.NOT_EXIST)
    if activation.claimed_at is not None:
        return PairingState(PairingStatus.VERIFIED)
    return PairingState(PairingStatus.NOT_CLAIMED)


def activation_code_status(*, organization: Any, code: str) -> PairingState:
    """Return PingID's pairing status of a code.

    NOT_CLAIMED: issued and unused. VERIFIED: an app entered it and is pairing.
    PAIRED: a device was paired with it. SUCCESS: that device has since
    authenticated. NOT_EXIST: unknown, expired, replaced, or its device was
    unpaired.
    """
    return _code_state(_code_find(organization, code), timezone.now())


def _usable_code(actor: Actor, code: str) -> ActivationCode:
    activation = _code_find(actor.organization, code, lock=True)
    state = _code_state(activation, timezone.now())
    if activation is None or state.status not in (
        PairingStatus.NOT_CLAIMED,
        PairingStatus.VERIFIED,
    ):
        raise ServiceError(
            "Invalid activation code: it does not exist, expired or was already "
            "used. Ask an administrator for a new code.",
            code="activation_code_invalid",
            field="code",
        )
    return activation


def activation_code_claim(*, actor: Actor, code: str) -> ActivationCode:
    """Mark a code as entered by an app (VERIFIED) before the app pairs."""
    actor.require(Action.DEVICE_MANAGE)
    with transaction.atomic():
        activation = _usable_code(actor, code)
        if activation.claimed_at is None:
            activation.claimed_at = timezone.now()
            activation.save(update_fields=["claimed_at"])
            event_record(
                action="device.activation_code_claim",
                actor=actor,
                pingid_user=activation.user,
                target=activation,
            )
    return activation


def activation_code_pair(
    *, actor: Actor, code: str, device_type: str, **fields: Any
) -> Device:
    """Pair an app device with a code, which cannot be used again.

    `fields` are Device fields reported by the app (model, os_version,
    app_version, display_id, phone_number, push_enabled, ...).
    """
    actor.require(Action.DEVICE_MANAGE)
    if device_type not in APP_DEVICE_TYPES:
        raise ServiceError(
            f"Invalid device type {excerpt(device_type)}: an activation code pairs "
            f"{', '.join(APP_DEVICE_TYPES)}.",
            field="device_type",
        )
    with transaction.atomic():
        activation = _usable_code(actor, code)
        expected = activation.device_type
        if (expected and expected != device_type) or (
            not expected and device_type not in MOBILE_DEVICE_TYPES
        ):
            raise ServiceError(
                f"This activation code is for {expected or 'a mobile app'}, not "
                f"{device_type}.",
                field="device_type",
            )
        user = user_lock(actor=actor, user=activation.user)
        device = device_create(user=user, type=device_type, **fields)
        now = timezone.now()
        activation.claimed_at = activation.claimed_at or now
        activation.paired_at = now
        activation.device = device
        activation.save(update_fields=["claimed_at", "paired_at", "device"])
        event_record(
            action="device.pair",
            actor=actor,
            pingid_user=user,
            device=device,
            target=device,
            after={
                "type": device.type,
                "role": device.role,
                "method": "activation_code",
            },
        )
    return device
