"""Authentication operations: startauthentication, authoffline, cancelauthentication."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.db import transaction
from django.utils import timezone

from activity.models import Outcome
from availability.decisions import (
    Decision,
    DecisionMode,
    authentication_decision,
    dependency_failure_decision,
)
from devices.models import Device, DeviceRole, DeviceType, OtpState
from devices.services import OtpOutcome, email_otp_send
from integrations.auth_sessions import (
    AuthenticationContext,
    FinishOutcome,
    authentication_record,
    authentication_session_cancel,
    authentication_session_finish,
    authentication_session_lock,
    authentication_session_start,
)
from integrations.models import AuthenticationSession
from integrations.pingid import limits
from integrations.pingid.authentication import SignedCall
from integrations.pingid.errors import ErrorId, PingIDError
from integrations.pingid.operations.base import device_details, epoch_millis
from pingid_portal.errors import excerpt
from users.models import PingIDUser, Service, UserService, UserStatus, username_key
from users.selectors import user_get_by_username

logger = logging.getLogger(__name__)

# Failures of the e-mail backend: the dependency that sends e-mailed OTPs.
_MAIL_FAILURES = (smtplib.SMTPException, OSError)


def _context(call: SignedCall) -> AuthenticationContext:
    service = call.body.text("spAlias", default=Service.WEB).lower()
    if service not in Service.values:
        raise PingIDError(
            ErrorId.INVALID_INPUT,
            f"Invalid spAlias {service[:30]!r}: send one of {', '.join(Service.values)}.",
        )
    return AuthenticationContext(
        service=service,
        application=call.body.text("application"),
        end_user_ip=call.body.text("ipAddr")[:45],
    )


def _decision_response(
    call: SignedCall,
    decision: Decision,
    context: AuthenticationContext,
    user: PingIDUser | None,
    username: str,
) -> dict[str, Any]:
    """Record an availability decision and apply it: reject, or let the user in."""
    bypass = decision.mode == DecisionMode.BYPASS
    authentication_record(
        actor=call.actor,
        action="authentication.start",
        outcome=Outcome.BYPASSED if bypass else Outcome.DENIED,
        context=context,
        user=user,
        username=username,
        reason=decision.reason,
        message=decision.message,
    )
    if not bypass:
        raise PingIDError(
            ErrorId.AUTHENTICATION_REJECTED, decision.message, http_status=403
        )
    return {
        "userInBypass": True,
        "bypassReason": decision.reason,
        "errorMsg": decision.message,
    }


def _reject(
    call: SignedCall,
    context: AuthenticationContext,
    error: PingIDError,
    *,
    user: PingIDUser | None = None,
    username: str = "",
    reason: str,
) -> PingIDError:
    authentication_record(
        actor=call.actor,
        action="authentication.start",
        outcome=Outcome.DENIED if user else Outcome.FAILURE,
        context=context,
        user=user,
        username=username,
        reason=reason,
        message=error.message,
    )
    return error


def _device_choose(
    call: SignedCall, user: PingIDUser
) -> tuple[Device | None, list[Device]]:
    """Return the device to authenticate with (the requested or primary one) and all."""
    devices = list(Device.objects.filter(user=user).order_by("order", "id"))
    usable = [device for device in devices if not device.blocked]
    requested = call.body.integer("deviceId", minimum=1)
    if requested is not None:
        chosen = next((d for d in usable if d.pk == requested), None)
        if chosen is None:
            raise PingIDError(
                ErrorId.INVALID_INPUT,
                f"Invalid deviceId {requested}: not an unblocked device of this user.",
            )
        return chosen, devices
    primary = next((d for d in usable if d.role == DeviceRole.PRIMARY), None)
    return primary or (usable[0] if usable else None), devices


def start_authentication(call: SignedCall) -> dict[str, Any]:
    """Return the next step of an authentication, decided by the user's state."""
    context = _context(call)
    username = call.body.text("userName", required=True)
    limits.user_limit_check(call.organization.pk, username_key(username))
    user = user_get_by_username(call.organization, username)

    decision = authentication_decision(
        organization=call.organization, service=context.service, now=timezone.now()
    )
    # Failing closed rejects everyone, but failing open (an emergency bypass or
    # the bypass behaviour during errors) skips only MFA: unknown, suspended and
    # not enabled users are rejected first, exactly as without a decision.
    if decision is not None and decision.mode == DecisionMode.REJECT:
        return _decision_response(call, decision, context, user, username)
    admitted = _admitted_user(call, context, user, username)
    if decision is not None:
        return _decision_response(call, decision, context, admitted, username)
    return _start_for_user(call, context, admitted)


def _admitted_user(
    call: SignedCall,
    context: AuthenticationContext,
    user: PingIDUser | None,
    username: str,
) -> PingIDUser:
    """Return `user` if it exists, is not suspended and is enabled for the service."""
    if user is None:
        raise _reject(
            call,
            context,
            PingIDError(
                ErrorId.USER_NOT_FOUND,
                f"User {excerpt(username)} does not exist: check userName, or add "
                "the user with AddUser first.",
            ),
            username=username,
            reason="unknown_user",
        )
    if user.status == UserStatus.SUSPENDED:
        raise _reject(
            call,
            context,
            PingIDError(
                ErrorId.USER_SUSPENDED,
                f"User {user.username!r} is suspended and cannot authenticate.",
                http_status=403,
            ),
            user=user,
            reason="user_suspended",
        )
    if _user_service(user, context.service) is None:
        raise _reject(
            call,
            context,
            PingIDError(
                ErrorId.AUTHENTICATION_REJECTED,
                f"User {user.username!r} is not enabled for service {context.service}.",
                http_status=403,
            ),
            user=user,
            reason="service_not_active",
        )
    return user


def _user_service(user: PingIDUser, service: str) -> UserService | None:
    """Return the user's enabled row for `service`, or None."""
    row = next((row for row in user.services.all() if row.service == service), None)
    if row is None or not row.enabled:
        return None
    return row


def _start_for_user(
    call: SignedCall, context: AuthenticationContext, user: PingIDUser
) -> dict[str, Any]:
    service = _user_service(user, context.service)
    assert service is not None, "_admitted_user checked the service"
    if service.is_bypassed():
        authentication_record(
            actor=call.actor,
            action="authentication.start",
            outcome=Outcome.BYPASSED,
            context=context,
            user=user,
            reason="user_bypass",
            message=service.bypass_reason,
        )
        return {
            "userInBypass": True,
            "bypassExpiration": epoch_millis(service.bypass_until),
            "bypassReason": "user_bypass",
        }
    return _challenge(call, context, user)


def _challenge(
    call: SignedCall, context: AuthenticationContext, user: PingIDUser
) -> dict[str, Any]:
    # A session for a locked user could only end in DEVICE_LOCKED at authoffline,
    # so the lockout is reported before a session opens or an e-mail is sent.
    otp_state = OtpState.objects.filter(user=user).first()
    if otp_state is not None and otp_state.is_locked(timezone.now()):
        raise _reject(
            call,
            context,
            PingIDError(
                ErrorId.DEVICE_LOCKED,
                f"Too many wrong OTPs: the OTPs of user {user.username!r} are "
                "locked for a while. An administrator can unlock them.",
                http_status=403,
            ),
            user=user,
            reason="otp_locked",
        )
    device, devices = _device_choose(call, user)
    if device is None:
        raise _reject(
            call,
            context,
            PingIDError(
                ErrorId.NO_DEVICE,
                f"User {user.username!r} has no usable device: pair a device first.",
                http_status=403,
            ),
            user=user,
            reason="no_device",
        )
    if device.totp_secret:
        next_step, message = (
            ErrorId.AUTHENTICATOR_APP_OTP,
            "Enter the authenticator app OTP.",
        )
    elif device.type == DeviceType.EMAIL:
        failure = _email_send(call, context, user, device)
        if failure is not None:
            return _decision_response(call, failure, context, user, user.username)
        next_step, message = ErrorId.EMAIL_OTP, "Enter the OTP e-mailed to the user."
    else:
        raise _reject(
            call,
            context,
            PingIDError(
                ErrorId.NO_DEVICE,
                f"Device {device.pk} ({device.type}) cannot give an OTP here: choose an "
                "authenticator app or e-mail device with deviceId.",
                http_status=403,
            ),
            user=user,
            reason="device_unsupported",
        )
    session = authentication_session_start(
        actor=call.actor, user=user, device=device, context=context, message=message
    )
    return {
        "errorId": next_step,
        "errorMsg": message,
        "sessionId": session.session_id,
        "authenticatingDeviceId": device.pk,
        "userDevices": [device_details(item) for item in devices],
    }


def _email_send(
    call: SignedCall, context: AuthenticationContext, user: PingIDUser, device: Device
) -> Decision | None:
    """E-mail a code; on a mail failure return what availability decides."""
    try:
        email_otp_send(actor=call.actor, user=user, device=device)
    except _MAIL_FAILURES:
        logger.exception("E-mailing an OTP for PingID user %s failed", user.pk)
        return dependency_failure_decision(
            organization=call.organization, service=context.service
        )
    return None


def _session_error() -> PingIDError:
    return PingIDError(
        ErrorId.INVALID_SESSION,
        "Invalid session: it does not exist, expired or already finished. Start the "
        "authentication again.",
    )


def authenticate_offline(call: SignedCall) -> dict[str, Any]:
    """Finish an authentication with the OTP of its device."""
    session_id = call.body.text("sessionId", required=True)
    otp = call.body.text("otp", required=True)
    username = call.body.text("userName")
    limited: PingIDError | None = None
    # No savepoint: nothing in this block raises a PingIDError, and any other
    # error rolls back the whole call.
    with transaction.atomic(savepoint=False):
        locked = authentication_session_lock(actor=call.actor, session_id=session_id)
        if (
            locked is not None
            and username
            # Matched as `user_get_by_username` matches: exact or trimmed.
            and locked.session.user.username_key
            not in {username_key(username), username_key(username.strip())}
        ):
            locked = None
        if locked is not None:
            limited = limits.user_limit_error(
                call.organization.pk, locked.session.user.username_key
            )
        if locked is not None and limited is None:
            result = authentication_session_finish(
                actor=call.actor, locked=locked, otp=otp
            )
    # Errors are raised after the commit, so that closed sessions and counted
    # OTP failures stay recorded.
    if locked is None:
        raise _session_error()
    if limited is not None:
        raise limited
    if result.accepted:
        return {}
    raise _finish_error(result.outcome, locked.session)


def _finish_error(outcome: str, session: AuthenticationSession) -> PingIDError:
    """Return the error for an authoffline that did not succeed."""
    username = session.user.username
    if outcome == OtpOutcome.LOCKED:
        return PingIDError(
            ErrorId.DEVICE_LOCKED,
            "Too many wrong OTPs: this user's OTPs are locked for a while. An "
            "administrator can unlock them.",
            http_status=403,
        )
    if outcome == FinishOutcome.USER_SUSPENDED:
        return PingIDError(
            ErrorId.USER_SUSPENDED,
            f"User {excerpt(username)} was suspended after the authentication "
            "started and cannot authenticate. The session is closed.",
            http_status=403,
        )
    if outcome == FinishOutcome.SERVICE_NOT_ACTIVE:
        return PingIDError(
            ErrorId.AUTHENTICATION_REJECTED,
            f"User {excerpt(username)} is no longer enabled for service "
            f"{session.service}. The session is closed.",
            http_status=403,
        )
    if outcome == FinishOutcome.DEVICE_BLOCKED:
        return PingIDError(
            ErrorId.NO_DEVICE,
            "The device of this session was blocked, so the session is closed. "
            "Start the authentication again with another device, or ask an "
            "administrator to unblock it.",
            http_status=403,
        )
    if outcome in (FinishOutcome.DEVICE_UNPAIRED, OtpOutcome.NO_DEVICE):
        return PingIDError(
            ErrorId.NO_DEVICE,
            "The device of this session was unpaired, so the session is closed. "
            "Start the authentication again with another device.",
            http_status=403,
        )
    return PingIDError(ErrorId.WRONG_OTP, "Wrong OTP: enter the current code.")


def cancel_authentication(call: SignedCall) -> dict[str, Any]:
    session_id = call.body.text("sessionId", required=True)
    with transaction.atomic():
        locked = authentication_session_lock(actor=call.actor, session_id=session_id)
        if locked is not None:
            authentication_session_cancel(actor=call.actor, session=locked.session)
    if locked is None:
        raise _session_error()
    return {}
