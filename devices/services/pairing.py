"""Pairing of authenticator apps (TOTP) and e-mail devices by a first valid code."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from activity.models import Outcome
from activity.services import event_record
from devices.models import Device, DeviceType, PairingKind, PairingSession
from devices.services.common import device_create, random_digits, user_lock
from devices.services.totp import new_secret, provisioning_uri, totp_match
from pingid_portal.actors import Actor
from pingid_portal.crypto import code_hash
from pingid_portal.errors import ConflictError, ServiceError, excerpt
from pingid_portal.permissions import Action
from users.models import PingIDUser

logger = logging.getLogger(__name__)

EMAIL_CODE_LENGTH = 6
_EMAIL_PAIRING_PURPOSE = "email-pairing"


def _session_create(
    *, actor: Actor, user: PingIDUser, kind: str, **fields: str
) -> PairingSession:
    now = timezone.now()
    return PairingSession.objects.create(
        organization=actor.organization,
        user=user,
        kind=kind,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.DEVICE_PAIRING_SECONDS),
        **fields,
    )


def totp_pairing_start(
    *, actor: Actor, user: PingIDUser
) -> tuple[PairingSession, str, str]:
    """Start pairing an authenticator app; return the session, secret and otpauth URI."""
    actor.require(Action.DEVICE_MANAGE)
    with transaction.atomic():
        user = user_lock(actor=actor, user=user)
        secret = new_secret()
        session = _session_create(
            actor=actor, user=user, kind=PairingKind.TOTP, secret=secret
        )
        event_record(
            action="device.pairing_start",
            actor=actor,
            pingid_user=user,
            target=session,
            after={"kind": session.kind, "expires_at": session.expires_at.isoformat()},
        )
    return session, secret, totp_pairing_uri(session)


def totp_pairing_uri(session: PairingSession) -> str:
    """Return the otpauth URI of a TOTP pairing's secret, which its QR code shows."""
    return provisioning_uri(
        session.secret,
        account=session.user.username,
        issuer=session.organization.name,
    )


def email_pairing_start(
    *, actor: Actor, user: PingIDUser, email: str
) -> PairingSession:
    """Start pairing an e-mail address: e-mail it a six-digit code after commit."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    actor.require(Action.DEVICE_MANAGE)
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ServiceError(
            f"Invalid e-mail address {excerpt(email)}: enter an address like "
            "name@example.com.",
            field="email",
        ) from error
    code = random_digits(EMAIL_CODE_LENGTH)
    with transaction.atomic():
        user = user_lock(actor=actor, user=user)
        session = _session_create(
            actor=actor,
            user=user,
            kind=PairingKind.EMAIL,
            email=email,
            code_hash=code_hash(_EMAIL_PAIRING_PURPOSE, code),
        )
        event_record(
            action="device.pairing_start",
            actor=actor,
            pingid_user=user,
            target=session,
            after={"kind": session.kind, "email": email},
        )
        transaction.on_commit(
            lambda: code_email(
                email=email,
                code=code,
                purpose="confirm this e-mail address as a sign-in device",
                valid_seconds=settings.DEVICE_PAIRING_SECONDS,
            )
        )
    return session


def code_email(*, email: str, code: str, purpose: str, valid_seconds: int) -> None:
    """Send a one-time code through Django's e-mail backend."""
    minutes = max(1, valid_seconds // 60)
    send_mail(
        subject=f"Your verification code: {code}",
        message=(
            f"Enter {code} to {purpose}.\n\n"
            f"The code expires in {minutes} minutes. If you did not expect it, "
            "tell your help desk."
        ),
        from_email=None,
        recipient_list=[email],
    )
    logger.info("One-time code e-mailed for %s", purpose)


def _session_lock(actor: Actor, session: PairingSession, kind: str) -> PairingSession:
    locked = (
        PairingSession.objects.select_for_update()
        .filter(pk=session.pk, organization=actor.organization, kind=kind)
        .select_related("user")
        .first()
    )
    if locked is None:
        raise ServiceError(
            "Invalid pairing session: start the pairing again.",
            code="pairing_not_found",
        )
    if locked.finished_at is not None:
        raise ConflictError(
            "This pairing is already finished: the device is paired.",
            code="pairing_finished",
        )
    if timezone.now() >= locked.expires_at:
        raise ServiceError(
            "This pairing expired or had too many wrong codes: start it again.",
            code="pairing_expired",
        )
    return locked


def _wrong_code(actor: Actor, session: PairingSession) -> ServiceError:
    session.attempts += 1
    update = ["attempts"]
    left = settings.DEVICE_PAIRING_MAX_ATTEMPTS - session.attempts
    if left <= 0:
        session.expires_at = timezone.now()
        update.append("expires_at")
    session.save(update_fields=update)
    event_record(
        action="device.pairing_finish",
        actor=actor,
        outcome=Outcome.FAILURE,
        pingid_user=session.user,
        target=session,
        message=f"wrong code, attempt {session.attempts}",
    )
    if left <= 0:
        return ServiceError(
            "Wrong code, and too many wrong codes: start the pairing again.",
            code="pairing_expired",
            field="otp",
        )
    return ServiceError(
        f"Wrong code: enter the code the device shows now ({left} "
        f"{'try' if left == 1 else 'tries'} left).",
        code="otp_invalid",
        field="otp",
    )


def _session_finish(actor: Actor, session: PairingSession, device: Device) -> Device:
    session.finished_at = timezone.now()
    session.device = device
    session.save(update_fields=["finished_at", "device"])
    event_record(
        action="device.pair",
        actor=actor,
        pingid_user=session.user,
        device=device,
        target=device,
        after={"type": device.type, "role": device.role, "method": session.kind},
    )
    return device


def totp_pairing_finish(*, actor: Actor, session: PairingSession, otp: str) -> Device:
    """Pair the authenticator app once `otp` is a valid code of the session's secret.

    A wrong code is counted (and committed) before `ServiceError` is raised.
    """
    actor.require(Action.DEVICE_MANAGE)
    otp = str(otp).strip().replace(" ", "")
    error: ServiceError | None = None
    with transaction.atomic():
        locked = _session_lock(actor, session, PairingKind.TOTP)
        step = totp_match(locked.secret, otp, timezone.now().timestamp())
        if step is None:
            error = _wrong_code(actor, locked)
        else:
            user = user_lock(actor=actor, user=locked.user)
            device = device_create(
                user=user,
                type=DeviceType.AUTHENTICATOR_APP,
                display_id="Authenticator app",
                totp_secret=locked.secret,
                # The pairing code cannot be replayed to authenticate.
                last_otp_step=step,
            )
            _session_finish(actor, locked, device)
    if error is not None:
        raise error
    return device


def email_pairing_finish(*, actor: Actor, session: PairingSession, otp: str) -> Device:
    """Pair the e-mail address once `otp` is the code that was e-mailed to it."""
    import hmac

    actor.require(Action.DEVICE_MANAGE)
    otp = str(otp).strip()
    error: ServiceError | None = None
    with transaction.atomic():
        locked = _session_lock(actor, session, PairingKind.EMAIL)
        expected = locked.code_hash
        if not hmac.compare_digest(expected, code_hash(_EMAIL_PAIRING_PURPOSE, otp)):
            error = _wrong_code(actor, locked)
        else:
            user = user_lock(actor=actor, user=locked.user)
            device = device_create(
                user=user,
                type=DeviceType.EMAIL,
                email=locked.email,
                display_id=locked.email,
            )
            _session_finish(actor, locked, device)
    if error is not None:
        raise error
    return device
