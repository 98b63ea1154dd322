"""Verification of one-time passwords, with replay protection and lockout."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from activity.models import Category, Outcome
from activity.services import event_record
from devices.models import Device, DeviceType, EmailOtpChallenge, OtpState
from devices.services.common import random_digits, user_lock
from devices.services.pairing import code_email
from devices.services.totp import totp_match
from pingid_portal import rows
from pingid_portal.actors import Actor
from pingid_portal.crypto import code_hash
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.permissions import Action
from users.models import PingIDUser

logger = logging.getLogger(__name__)

EMAIL_OTP_LENGTH = 6
_EMAIL_OTP_PURPOSE = "email-otp"


class OtpOutcome:
    ACCEPTED = "accepted"
    INVALID = "invalid"
    REPLAYED = "replayed"
    LOCKED = "locked"
    NO_DEVICE = "no_device"


@dataclass(frozen=True)
class OtpResult:
    outcome: str
    device: Device | None = None
    failure_count: int = 0
    locked_until: datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome == OtpOutcome.ACCEPTED


def otp_state_lock(user: PingIDUser) -> OtpState:
    """Lock (creating if needed) the user's OTP state row for this transaction."""
    OtpState.objects.bulk_create([OtpState(user=user)], ignore_conflicts=True)
    return OtpState.objects.select_for_update().get(user=user)


# The OTP state and one device of a user, the device locked. A LEFT JOIN,
# because a user has no OTP state row before their first rejected code.
_DEVICE_AND_STATE_SQL = (
    f"SELECT {rows.columns(Device, 'd')}, {rows.columns(OtpState, 's')} "  # noqa: S608
    f"FROM {rows.table(Device)} d "
    f"LEFT JOIN {rows.table(OtpState)} s ON s.user_id = d.user_id "
    "WHERE d.id = %s AND d.user_id = %s AND NOT d.blocked "
)


def _otp_inputs(
    user: PingIDUser, device: Device | None
) -> tuple[OtpState, list[Device]]:
    """Load the user's OTP state and lock the devices that may accept a code.

    The caller holds the user's row lock, which every writer of OtpState takes
    first, so the state needs no lock of its own. With `device` given, one
    statement reads both; it is the PingID API's `authoffline` path.
    """
    if device is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                _DEVICE_AND_STATE_SQL + rows.for_update("d"), [device.pk, user.pk]
            )
            row = cursor.fetchone()
        if row is not None:
            locked = rows.instance_from_row(Device, row)
            assert locked is not None
            state = rows.instance_from_row(
                OtpState, row, rows.column_count(Device)
            ) or OtpState(user=user)
            usable = locked.totp_secret or locked.type == DeviceType.EMAIL
            return state, [locked] if usable else []
    state = OtpState.objects.filter(user=user).first() or OtpState(user=user)
    queryset = Device.objects.filter(user=user, blocked=False)
    if device is not None:
        queryset = queryset.filter(pk=device.pk)
    devices = [
        d
        for d in queryset.select_for_update()
        if d.totp_secret or d.type == DeviceType.EMAIL
    ]
    return state, devices


def _match(devices: list[Device], otp: str, now: datetime) -> tuple[str, Device | None]:
    """Return (outcome, device) for the first device that accepts `otp`."""
    replayed: Device | None = None
    for device in devices:
        if device.totp_secret:
            step = totp_match(device.totp_secret, otp, now.timestamp())
            if step is None:
                continue
            if device.last_otp_step is not None and step <= device.last_otp_step:
                replayed = device
                continue
            device.last_otp_step = step
            return OtpOutcome.ACCEPTED, device
        challenge = (
            EmailOtpChallenge.objects.select_for_update()
            .filter(device=device, used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if challenge and hmac.compare_digest(
            challenge.code_hash, code_hash(_EMAIL_OTP_PURPOSE, otp)
        ):
            challenge.used_at = now
            challenge.save(update_fields=["used_at"])
            return OtpOutcome.ACCEPTED, device
    if replayed is not None:
        return OtpOutcome.REPLAYED, replayed
    return OtpOutcome.INVALID, None


def _state_save(state: OtpState, *names: str) -> None:
    if state.pk is None:
        rows.row_insert(state)
    else:
        rows.instance_update(state, *names)


def _failure_count(state: OtpState, now: datetime) -> None:
    state.failure_count += 1
    state.last_failure_at = now
    if state.failure_count >= settings.OTP_MAX_FAILURES:
        state.locked_until = now + timedelta(seconds=settings.OTP_LOCKOUT_SECONDS)
    _state_save(state, "failure_count", "last_failure_at", "locked_until")


def otp_verify(
    *, actor: Actor, user: PingIDUser, otp: str, device: Device | None = None
) -> OtpResult:
    """Check a one-time password of one of the user's devices (or of `device`).

    Locks the user, runs `otp_check` and records a `device.otp_verify` event.
    """
    actor.require(Action.AUTHENTICATE)
    with transaction.atomic():
        user = user_lock(actor=actor, user=user)
        result = otp_check(user=user, otp=otp, device=device)
        _verify_record(actor, user, device, result)
    return result


def otp_check(*, user: PingIDUser, otp: str, device: Device | None = None) -> OtpResult:
    """Check a one-time password of a user whose row the caller has locked.

    Accepts TOTP codes within one step of clock drift and open e-mailed codes.
    A step already accepted on a device is a replay. Every rejected attempt
    counts once against the user, whatever number of devices was tried. After
    OTP_MAX_FAILURES in a row every code is rejected for OTP_LOCKOUT_SECONDS
    or until `otp_unlock`. A success resets only this user's counter. Stores
    the outcome but records no event: the caller does.
    """
    otp = str(otp).strip().replace(" ", "")
    state, devices = _otp_inputs(user, device)
    if device is not None and devices:
        device = devices[0]
    now = timezone.now()
    if state.is_locked(now):
        return OtpResult(
            OtpOutcome.LOCKED, device, state.failure_count, state.locked_until
        )
    counting = bool(state.failure_count or state.locked_until)
    if state.locked_until is not None:
        # The lockout ended by time: start counting afresh.
        state.failure_count = 0
        state.locked_until = None
    if not devices:
        return OtpResult(OtpOutcome.NO_DEVICE, device, state.failure_count)
    if otp.isdigit() and 6 <= len(otp) <= 8:
        outcome, matched = _match(devices, otp, now)
    else:
        outcome, matched = OtpOutcome.INVALID, None
    if outcome != OtpOutcome.ACCEPTED:
        _failure_count(state, now)
        return OtpResult(
            outcome, matched or device, state.failure_count, state.locked_until
        )
    assert matched is not None
    matched.last_used_at = now
    rows.instance_update(matched, "last_used_at", "last_otp_step")
    if counting:
        state.failure_count = 0
        state.locked_until = None
        _state_save(state, "failure_count", "locked_until")
    return OtpResult(OtpOutcome.ACCEPTED, matched, 0, None)


def _verify_record(
    actor: Actor, user: PingIDUser, device: Device | None, result: OtpResult
) -> None:
    outcome = Outcome.SUCCESS if result.accepted else Outcome.FAILURE
    if result.outcome == OtpOutcome.LOCKED:
        outcome = Outcome.DENIED
    event_record(
        action="device.otp_verify",
        actor=actor,
        category=Category.AUTHENTICATION,
        outcome=outcome,
        pingid_user=user,
        device=result.device or device,
        message=result.outcome,
        after={
            "failure_count": result.failure_count,
            "locked_until": result.locked_until.isoformat()
            if result.locked_until
            else None,
        },
    )


def otp_unlock(*, actor: Actor, user: PingIDUser) -> None:
    """End a user's OTP lockout and clear the failure count."""
    actor.require(Action.DEVICE_MANAGE)
    with transaction.atomic():
        user = user_lock(actor=actor, user=user)
        state = otp_state_lock(user)
        if state.failure_count == 0 and state.locked_until is None:
            raise ConflictError(
                f"One-time passwords of {user.username} are not locked.",
                code="not_locked",
            )
        before = {
            "failure_count": state.failure_count,
            "locked_until": state.locked_until.isoformat()
            if state.locked_until
            else None,
        }
        state.failure_count = 0
        state.locked_until = None
        state.save(update_fields=["failure_count", "locked_until"])
        event_record(
            action="device.otp_unlock",
            actor=actor,
            pingid_user=user,
            before=before,
            after={"failure_count": 0, "locked_until": None},
        )


def email_otp_send(
    *, actor: Actor, user: PingIDUser, device: Device
) -> EmailOtpChallenge:
    """E-mail a six-digit code to an e-mail device; earlier open codes stop working."""
    actor.require(Action.AUTHENTICATE)
    code = random_digits(EMAIL_OTP_LENGTH)
    with transaction.atomic():
        user = user_lock(actor=actor, user=user)
        locked = (
            Device.objects.select_for_update()
            .filter(pk=device.pk, user=user, type=DeviceType.EMAIL)
            .first()
        )
        if locked is None:
            raise ServiceError(
                f"Device {device.pk} is not an e-mail device of {user.username}.",
                field="device",
            )
        if locked.blocked:
            raise ServiceError(
                f"Device {locked} is blocked: no code was sent.",
                code="device_blocked",
                field="device",
            )
        now = timezone.now()
        validity = settings.EMAIL_OTP_VALIDITY_SECONDS
        EmailOtpChallenge.objects.filter(device=locked, used_at__isnull=True).update(
            used_at=now
        )
        challenge = EmailOtpChallenge.objects.create(
            device=locked,
            code_hash=code_hash(_EMAIL_OTP_PURPOSE, code),
            created_at=now,
            expires_at=now + timedelta(seconds=validity),
        )
        event_record(
            action="device.email_otp_send",
            actor=actor,
            category=Category.AUTHENTICATION,
            pingid_user=user,
            device=locked,
        )
        email = locked.email
        transaction.on_commit(
            lambda: code_email(
                email=email, code=code, purpose="sign in", valid_seconds=validity
            )
        )
    return challenge


def otp_state_of(user: PingIDUser) -> OtpState | None:
    return OtpState.objects.filter(user=user).first()
