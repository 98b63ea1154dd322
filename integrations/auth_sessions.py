"""State changes of PingID API authentications: start, finish, cancel, expire.

Every step writes one authentication event with the settings file (the
actor), the client IP address, the service, the device and the outcome.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from activity.models import Category, Outcome
from activity.services import event_record
from devices.models import Device
from devices.services import OtpOutcome, OtpResult, otp_check
from integrations.models import AuthenticationSession, AuthenticationStatus
from pingid_portal import rows
from pingid_portal.actors import Actor
from pingid_portal.permissions import Action
from users.models import PingIDUser, UserService, UserStatus
from users.services import user_mark_authenticated


@dataclass(frozen=True)
class AuthenticationContext:
    """The service (spAlias) and application of an authentication."""

    service: str
    application: str = ""
    # The end user's address as the client reports it (`ipAddr`), kept in the
    # event message; the event's own IP address is the client's.
    end_user_ip: str = ""


def authentication_record(
    *,
    actor: Actor,
    action: str,
    outcome: str,
    context: AuthenticationContext,
    user: PingIDUser | None = None,
    username: str = "",
    device: Device | None = None,
    reason: str = "",
    message: str = "",
    after: dict[str, Any] | None = None,
) -> None:
    """Write one authentication event. `username` names a user who does not exist."""
    extra: dict[str, Any] = {}
    if context.end_user_ip:
        message = f"{message} End user's IP address: {context.end_user_ip}.".strip()
    if user is None and username:
        extra = {"target_type": "pingiduser", "target_display": username}
    event_record(
        actor=actor,
        action=action,
        category=Category.AUTHENTICATION,
        outcome=outcome,
        pingid_user=user,
        service=context.service,
        application=context.application,
        device=device,
        reason=reason,
        message=message,
        after=after,
        **extra,
    )


def authentication_session_start(
    *,
    actor: Actor,
    user: PingIDUser,
    device: Device,
    context: AuthenticationContext,
    message: str,
) -> AuthenticationSession:
    """Open a session that waits for the OTP of `device` and expires by itself."""
    actor.require(Action.AUTHENTICATE)
    settings_file_id = actor.settings_file_id
    if settings_file_id is None:
        raise ValueError("Only a settings file starts PingID API authentications.")
    now = timezone.now()
    with transaction.atomic():
        session = AuthenticationSession.objects.create(
            organization=actor.organization,
            session_id=secrets.token_urlsafe(24),
            settings_file_id=settings_file_id,
            user=user,
            device=device,
            service=context.service,
            application=context.application,
            client_ip=actor.ip_address,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.PINGID_SESSION_SECONDS),
        )
        authentication_record(
            actor=actor,
            action="authentication.start",
            outcome=Outcome.SUCCESS,
            context=context,
            user=user,
            device=device,
            message=message,
        )
    return session


def _context_of(session: AuthenticationSession) -> AuthenticationContext:
    return AuthenticationContext(session.service, session.application)


def _session_close(
    session: AuthenticationSession, status: str, at: datetime | None = None
) -> None:
    session.status = status
    session.finished_at = at or timezone.now()
    rows.instance_update(session, "status", "finished_at")


# The pending session `session_id` of an organization, locked with its user:
# every OTP check and device change of a user takes the user's row lock first.
# The last column is whether the user is still enabled for the service.
_SESSION_LOCK_SQL = (
    f"SELECT {rows.columns(AuthenticationSession, 'a')}, "  # noqa: S608
    f"{rows.columns(PingIDUser, 'u')}, "
    f"EXISTS (SELECT 1 FROM {rows.table(UserService)} s WHERE s.user_id = u.id "
    "AND s.service = a.service AND s.enabled) "
    f"FROM {rows.table(AuthenticationSession)} a "
    f"JOIN {rows.table(PingIDUser)} u ON u.id = a.user_id "
    "WHERE a.organization_id = %s AND a.session_id = %s AND a.status = %s "
)


class FinishOutcome:
    """Outcomes of `authentication_session_finish` that come before the OTP check."""

    USER_SUSPENDED = "user_suspended"
    SERVICE_NOT_ACTIVE = "service_not_active"
    DEVICE_UNPAIRED = "device_unpaired"
    DEVICE_BLOCKED = "device_blocked"


@dataclass(frozen=True)
class LockedSession:
    """A pending session locked with its user, and the user's standing for its service."""

    session: AuthenticationSession
    service_enabled: bool


def authentication_session_lock(
    *, actor: Actor, session_id: str
) -> LockedSession | None:
    """Lock the organization's pending session `session_id` and its user.

    Returns None when there is none. A session found past its expiry is
    closed and its time-out recorded, so the caller treats it like an unknown
    session. Call inside a transaction.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _SESSION_LOCK_SQL + rows.for_update("a", "u"),
            [actor.organization.pk, session_id[:64], AuthenticationStatus.PENDING],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    session = rows.instance_from_row(AuthenticationSession, row)
    user = rows.instance_from_row(
        PingIDUser, row, rows.column_count(AuthenticationSession)
    )
    assert session is not None and user is not None
    session.user = user
    if timezone.now() >= session.expires_at:
        _session_fail(
            actor,
            session,
            outcome=Outcome.TIMED_OUT,
            reason="session_expired",
            device=session.device,
            message=f"The session expired at {session.expires_at:%H:%M:%S} UTC.",
        )
        return None
    # NOTE: the user row is read as it is once locked, but the service flag as
    # it was when the statement started: a service turned off while this
    # statement waited for the user's lock is seen once more as enabled.
    return LockedSession(session, service_enabled=bool(row[-1]))


def authentication_session_finish(
    *, actor: Actor, locked: LockedSession, otp: str
) -> OtpResult:
    """Check the OTP of a session locked by `authentication_session_lock`.

    A user suspended, or no longer enabled for the service, since the session
    started is rejected, and so is a session whose device was unpaired or
    blocked: each closes the session, with the reason in its event. Otherwise
    the OTP is checked. Records one authentication event with the outcome; a
    rejected code's event also holds the user's failure count and lockout. A
    wrong or replayed code leaves the session open for another try; a lockout
    closes it. Call inside the transaction that locked the session.
    """
    actor.require(Action.AUTHENTICATE)
    session = locked.session
    rejection = _standing_rejection(locked)
    if rejection is not None:
        return _session_reject(actor, session, rejection)
    device = _session_device(session)
    result = otp_check(user=session.user, otp=otp, device=device)
    if result.outcome == OtpOutcome.NO_DEVICE:
        # The check loads only an unblocked device that has a TOTP secret or
        # takes e-mailed codes.
        return _session_reject(actor, session, _device_rejection(session))
    context = _context_of(session)
    after = None
    if result.accepted:
        now = timezone.now()
        _session_close(session, AuthenticationStatus.SUCCEEDED, now)
        user_mark_authenticated(user=session.user, at=now)
        outcome, reason = Outcome.SUCCESS, ""
    else:
        after = {
            "failure_count": result.failure_count,
            "locked_until": result.locked_until.isoformat()
            if result.locked_until
            else None,
        }
        if result.outcome == OtpOutcome.LOCKED:
            _session_close(session, AuthenticationStatus.FAILED)
            outcome, reason = Outcome.DENIED, "otp_locked"
        else:
            outcome, reason = Outcome.FAILURE, f"otp_{result.outcome}"
    authentication_record(
        actor=actor,
        action="authentication.finish",
        outcome=outcome,
        context=context,
        user=session.user,
        device=result.device or device,
        reason=reason,
        after=after,
    )
    return result


def _standing_rejection(locked: LockedSession) -> OtpResult | None:
    """Return why a session can no longer finish, before any OTP is checked."""
    session = locked.session
    if session.user.status == UserStatus.SUSPENDED:
        return OtpResult(FinishOutcome.USER_SUSPENDED)
    if not locked.service_enabled:
        return OtpResult(FinishOutcome.SERVICE_NOT_ACTIVE)
    if session.device_id is None:
        return OtpResult(FinishOutcome.DEVICE_UNPAIRED)
    return None


def _session_reject(
    actor: Actor, session: AuthenticationSession, rejection: OtpResult
) -> OtpResult:
    """Close a session that can no longer finish and record why."""
    _session_fail(
        actor,
        session,
        outcome=Outcome.DENIED,
        reason=rejection.outcome,
        device=rejection.device,
    )
    return rejection


def _session_fail(
    actor: Actor,
    session: AuthenticationSession,
    *,
    outcome: str,
    reason: str,
    device: Device | None,
    message: str = "",
) -> None:
    """Close a session as failed and record its authentication.finish event."""
    _session_close(session, AuthenticationStatus.FAILED)
    authentication_record(
        actor=actor,
        action="authentication.finish",
        outcome=outcome,
        context=_context_of(session),
        user=session.user,
        device=device,
        reason=reason,
        message=message,
    )


def _device_rejection(session: AuthenticationSession) -> OtpResult:
    device = (
        Device.objects.filter(pk=session.device_id).first()
        if session.device_id is not None
        else None
    )
    if device is not None and device.blocked:
        return OtpResult(FinishOutcome.DEVICE_BLOCKED, device)
    return OtpResult(FinishOutcome.DEVICE_UNPAIRED, device)


def _session_device(session: AuthenticationSession) -> Device | None:
    """Return a stand-in for the session's device that `otp_check` loads and locks."""
    if session.device_id is None:
        return None
    return Device(pk=session.device_id, user_id=session.user_id)


def authentication_session_cancel(
    *, actor: Actor, session: AuthenticationSession
) -> None:
    """Close a locked pending session at the client's request."""
    actor.require(Action.AUTHENTICATE)
    _session_close(session, AuthenticationStatus.CANCELLED)
    authentication_record(
        actor=actor,
        action="authentication.cancel",
        outcome=Outcome.FAILURE,
        context=_context_of(session),
        user=session.user,
        device=session.device,
        reason="cancelled",
        message="The client cancelled the authentication.",
    )
