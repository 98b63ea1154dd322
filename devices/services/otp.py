"""Verification of one-time passwords, with replay protection and lockout."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from activity.models import Category, Outcome
from activity.services import event_record
from devices.models import Device, DeviceType, EmailOtpChallenge, OtpState
from devices.services.common import code_hash, random_digits, user_lock
from devices.services.pairing import code_email
from devices.services.totp import totp_match
from pingid_portal.actors import Actor
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


def _candidates(user: PingIDUser, device: Device | None) -> list[Device]:
    queryset = Device.objects.filter(user=user, blocked=False)
    if device is not None:
        queryset = queryset.filter(pk=device.pk)
    return [
        d
        for d in queryset.select_for_update()
        if d.totp_secret or d.type == DeviceType.EMAIL
    ]


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


def _failure_count(state: OtpState, now: datetime) -> None:
    state.failure_count += 1
    state.last_failure_at = now
    if state.failure_count >= settings.OTP_MAX_FAILURES:
        state.locked_until = now + timedelta(seconds=settings.OTP_LOCKOUT_SECONDS)
    state.save(update_fields=["failure_count", "last_failure_at", "locked_until"])


def otp_verify(
    *, actor: Actor, user: PingIDUser, otp: str, device: Device | None = None
) -> OtpResult:
    """Check a one-time password of one of the user's devices (or of `device`).

    Accepts TOTP codes within one step of clock drift and open e-mailed codes.
    A step already accepted on a device is a replay. Every rejected attempt
    counts once against the user, whatever number of devices was tried; after
    OTP_MAX_FAILURES in a row every code is rejected for OTP_LOCKOUT_SECONDS
    or until `otp_unlock`. A success resets only this user's counter.
    """
    actor.require(Action.AUTHENTICATE)
    otp = str(otp).strip().replace(" ", "")
    with transaction.atomic():
        user = user_lock(actor=actor, user=user)
        state = otp_state_lock(user)
        now = timezone.now()
        if state.is_locked(now):
            result = OtpResult(
                OtpOutcome.LOCKED, None, state.failure_count, state.locked_until
            )
        else:
            if state.locked_until is not None:
                # The lockout ended by time: start counting afresh.
                state.failure_count = 0
                state.locked_until = None
            result = _attempt(user, state, device, otp, now)
        _verify_record(actor, user, device, result)
    return result


def _attempt(
    user: PingIDUser,
    state: OtpState,
    device: Device | None,
    otp: str,
    now: datetime,
) -> OtpResult:
    devices = _candidates(user, device)
    if not devices:
        return OtpResult(OtpOutcome.NO_DEVICE, device, state.failure_count)
    if otp.isdigit() and 6 <= len(otp) <= 8:
        outcome, matched = _match(devices, otp, now)
    else:
        outcome, matched = OtpOutcome.INVALID, None
    if outcome != OtpOutcome.ACCEPTED:
        _failure_count(state, now)
        return OtpResult(outcome, matched, state.failure_count, state.locked_until)
    assert matched is not None
    matched.last_used_at = now
    matched.save(update_fields=["last_used_at", "last_otp_step"])
    if state.failure_count or state.locked_until:
        state.failure_count = 0
        state.locked_until = None
    state.save(update_fields=["failure_count", "locked_until"])
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
