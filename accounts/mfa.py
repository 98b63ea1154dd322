"""Administrator MFA: enrollment, verification, recovery codes and reset."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.mfa_codes import totp_secret_new
from accounts.models import AdministratorTOTPDevice, Membership
from accounts.sessions import sessions_end_for_user
from activity.services import event_record
from pingid_portal.actors import Actor
from pingid_portal.crypto import code_hash
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.permissions import Action

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_PURPOSE = "recovery-code"
RECOVERY_DEVICE_NAME = "Recovery codes"
TOTP_DEVICE_NAME = "Authenticator app"


def mfa_is_enrolled(user: User) -> bool:
    return AdministratorTOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_enrollment_device(user: User) -> AdministratorTOTPDevice:
    """Return the user's pending (unconfirmed) authenticator, creating it once."""
    if mfa_is_enrolled(user):
        raise ConflictError(
            "Your authenticator app is already set up.", code="already_enrolled"
        )
    device = AdministratorTOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = AdministratorTOTPDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, key=totp_secret_new(), confirmed=False
        )
    return device


def _recovery_code_new() -> str:
    digits = secrets.token_hex(5)
    return f"{digits[:5]}-{digits[5:]}"


def recovery_code_stored(code: str) -> str:
    """Return the form a recovery code is stored in: its keyed hash.

    Cut to the 16 hex digits (64 bits) that django-otp's `StaticToken.token`
    column holds; without SECRET_KEY, a leaked table gives no code away.
    """
    return code_hash(RECOVERY_CODE_PURPOSE, code)[:16]


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code_stored(code)) for code in codes
    )
    return codes


def mfa_enrollment_confirm(
    *, actor: Actor, device: AdministratorTOTPDevice, code: str
) -> list[str]:
    """Confirm the authenticator with its first code; return new recovery codes."""
    if not code.strip():
        raise ServiceError(
            "Code is missing: enter the 6-digit code your app shows.", field="code"
        )
    with transaction.atomic():
        device = AdministratorTOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.confirmed:
            raise ConflictError(
                "Your authenticator app is already set up.", code="already_enrolled"
            )
        if not device.verify_token(code):
            raise ServiceError(
                "Code is invalid: enter the 6-digit code your app shows now, and "
                "check that the phone's clock is set automatically.",
                field="code",
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        AdministratorTOTPDevice.objects.filter(
            user=device.user, confirmed=False
        ).delete()
        codes = _recovery_codes_replace(device.user)
        event_record(
            actor=actor,
            action="administrator.mfa_enroll",
            target=actor.membership,
            target_display=actor.display,
        )
    return codes


def mfa_device_for_code(user: User, code: str) -> Device | None:
    """Return the device that accepts `code` (a TOTP or a recovery code), or None.

    A recovery code is used up by this call.
    """
    code = code.strip().lower()
    if not code:
        return None
    with transaction.atomic():
        totp = (
            AdministratorTOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .first()
        )
        if totp is not None and totp.verify_token(code):
            return totp
        compact = "".join(code.split())
        if len(compact) == 10 and "-" not in compact:
            compact = f"{compact[:5]}-{compact[5:]}"
        for static in StaticDevice.objects.select_for_update().filter(user=user):
            if static.verify_token(recovery_code_stored(compact)):
                return static
    return None


def mfa_recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def mfa_recovery_codes_regenerate(*, actor: Actor) -> list[str]:
    """Replace the acting administrator's recovery codes; the old ones stop working."""
    assert actor.user is not None
    if not mfa_is_enrolled(actor.user):
        raise ConflictError(
            "Set up your authenticator app before recovery codes.",
            code="not_enrolled",
        )
    with transaction.atomic():
        codes = _recovery_codes_replace(actor.user)
        event_record(
            actor=actor,
            action="administrator.mfa_recovery_codes",
            target=actor.membership,
            target_display=actor.display,
            message=f"{RECOVERY_CODE_COUNT} new recovery codes; the old ones stopped working.",
        )
    return codes


def administrator_mfa_reset(
    *, actor: Actor, membership: Membership, reason: str = ""
) -> None:
    """Remove another administrator's authenticator and recovery codes.

    Their sessions end, and at their next sign-in they set up MFA again.
    """
    actor.require(Action.ADMINISTRATOR_MANAGE)
    if membership.organization_id != actor.organization.pk:
        raise ConflictError("This administrator is not in your organization.")
    if actor.user is not None and membership.user_id == actor.user.pk:
        raise ServiceError(
            "You cannot reset your own MFA: ask another global administrator, or "
            "regenerate your recovery codes on your security page.",
            code="own_mfa",
        )
    user = membership.user
    with transaction.atomic():
        had_app = mfa_is_enrolled(user)
        AdministratorTOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        ended = sessions_end_for_user(user)
        event_record(
            actor=actor,
            action="administrator.mfa_reset",
            target=membership,
            target_display=user.email,
            before={"enrolled": had_app},
            after={"enrolled": False, "sessions_ended": ended},
            reason=reason,
        )
