"""The lost-device flow: unpair, optionally bypass MFA, optionally issue a code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from devices.models import ActivationCode, Device, UnpairReason
from devices.services.activation import HOURS_DEFAULT, activation_code_issue
from devices.services.inventory import device_unpair
from pingid_portal.actors import Actor
from pingid_portal.permissions import Action
from users.models import PingIDUser


@dataclass(frozen=True)
class BypassRequest:
    """A bypass to start with the same rules as the users area's bypass."""

    until: datetime | None
    reason: str
    unlimited: bool = False
    # None bypasses every service of the user.
    services: list[str] | None = None


@dataclass(frozen=True)
class LostDeviceResult:
    promoted: Device | None
    bypassed: bool
    activation: ActivationCode | None
    # The activation code's digits, to be shown once; None without a code.
    code: str | None


def device_lost_recover(
    *,
    actor: Actor,
    device: Device,
    reason: str = UnpairReason.LOST,
    note: str = "",
    bypass: BypassRequest | None = None,
    issue_code: bool = False,
    code_hours: object = HOURS_DEFAULT,
    code_device_type: str = "",
) -> LostDeviceResult:
    """Unpair a lost device and get its user working again, all or nothing.

    Each step writes its own activity event; any error rolls back every step.
    """
    actor.require(Action.DEVICE_MANAGE)
    if bypass is not None:
        actor.require(Action.USER_BYPASS)
    user = device.user
    with transaction.atomic():
        promoted = device_unpair(actor=actor, device=device, reason=reason, note=note)
        if bypass is not None:
            _bypass_start(actor=actor, user=user, bypass=bypass)
        activation, code = None, None
        if issue_code:
            activation, code = activation_code_issue(
                actor=actor,
                user=user,
                device_type=code_device_type,
                hours=code_hours,
            )
    return LostDeviceResult(promoted, bypass is not None, activation, code)


def _bypass_start(*, actor: Actor, user: PingIDUser, bypass: BypassRequest) -> None:
    # Imported here so tests can replace the users area's service.
    from users import services as user_services

    user_services.user_bypass(
        actor=actor,
        user=user,
        services=bypass.services,
        until=bypass.until,
        unlimited=bypass.unlimited,
        reason=bypass.reason,
    )
