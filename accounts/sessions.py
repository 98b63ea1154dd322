"""Tracked administrator sessions: start, timeouts, listing and ending them.

Every signed-in browser session has an `AdministratorSession` row, so ending
an administrator's sessions needs no scan of the session store. The session
itself stores when it started and when it was last active; the middleware
ends it after `SESSION_IDLE_TIMEOUT_SECONDS` without a request or
`SESSION_ABSOLUTE_TIMEOUT_SECONDS` after sign-in, whichever comes first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.models import AdministratorSession, Membership
from activity.services import event_record
from pingid_portal.actors import Actor, client_ip, request_user_agent
from pingid_portal.errors import ConflictError
from pingid_portal.permissions import Action

logger = logging.getLogger(__name__)

SESSION_STARTED_KEY = "security_started_at"
SESSION_SEEN_KEY = "security_last_seen_at"
SESSION_EXPIRED_KEY = "security_expired_reason"
# The last-seen time is written at most this often, so most requests write nothing.
LAST_SEEN_RESOLUTION_SECONDS = 60


def _store(session_key: str) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key)
    return store


def session_track_start(request: HttpRequest, user: User) -> None:
    """Mark a fresh sign-in in the session and record it for the sessions page."""
    now = timezone.now()
    request.session[SESSION_STARTED_KEY] = now.timestamp()
    request.session[SESSION_SEEN_KEY] = now.timestamp()
    if request.session.session_key is None:
        request.session.save()
    AdministratorSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "created_at": now,
            "last_seen_at": now,
            "ip_address": client_ip(request),
            "user_agent": request_user_agent(request)[:300],
        },
    )


def session_key_cycle(request: HttpRequest) -> None:
    """Give the session a new key (after MFA), keeping its tracking row."""
    old_key = request.session.session_key
    request.session.cycle_key()
    if old_key:
        AdministratorSession.objects.filter(session_key=old_key).update(
            session_key=request.session.session_key
        )


def sessions_end_for_user(user: User) -> int:
    """End every session of `user` at once; return how many ended."""
    sessions = list(AdministratorSession.objects.filter(user=user))
    for tracked in sessions:
        _store(tracked.session_key).delete()
    AdministratorSession.objects.filter(pk__in=[s.pk for s in sessions]).delete()
    return len(sessions)


def sessions_active_for(user: User) -> list[AdministratorSession]:
    """Return the user's sessions that are still within both timeouts."""
    now = timezone.now()
    idle_limit = now - _seconds(settings.SESSION_IDLE_TIMEOUT_SECONDS)
    absolute_limit = now - _seconds(settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS)
    return list(
        AdministratorSession.objects.filter(
            user=user,
            last_seen_at__gt=idle_limit - _seconds(LAST_SEEN_RESOLUTION_SECONDS),
            created_at__gt=absolute_limit,
        )
    )


def _seconds(value: int) -> timedelta:
    return timedelta(seconds=value)


def session_end(
    *, actor: Actor, session: AdministratorSession, current_key: str | None = None
) -> None:
    """End one session: one's own, or any administrator's for a global administrator."""
    own = actor.user is not None and session.user_id == actor.user.pk
    if not own:
        actor.require(Action.ADMINISTRATOR_MANAGE)
    with transaction.atomic():
        deleted, _ = AdministratorSession.objects.filter(pk=session.pk).delete()
        if not deleted:
            raise ConflictError("This session already ended.", code="session_ended")
        membership = Membership.objects.filter(user_id=session.user_id).first()
        event_record(
            actor=actor,
            action="administrator.session_end",
            target_type="membership",
            target_id=membership.pk if membership else "",
            target_display=membership.user.email if membership else "",
            before={
                "ip_address": session.ip_address,
                "created_at": session.created_at,
                "current": session.session_key == current_key,
            },
        )
    _store(session.session_key).delete()


def _expiry_reason(session: SessionBase, now: float) -> str | None:
    started = session.get(SESSION_STARTED_KEY)
    seen = session.get(SESSION_SEEN_KEY)
    if started is None or seen is None:
        # A signed-in session from before tracking began: sign in again.
        return "signed_out" if "_auth_user_id" in session else None
    if now - float(started) > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
        return "absolute"
    if now - float(seen) > settings.SESSION_IDLE_TIMEOUT_SECONDS:
        return "idle"
    return None


def _end_expired(request: HttpRequest, reason: str) -> None:
    key = request.session.session_key
    request.session.flush()
    if key:
        AdministratorSession.objects.filter(session_key=key).delete()
    request.session[SESSION_EXPIRED_KEY] = reason
    logger.info("Session ended by the %s timeout", reason)


def _touch(request: HttpRequest, now: float) -> None:
    seen = float(request.session.get(SESSION_SEEN_KEY, 0))
    if now - seen < LAST_SEEN_RESOLUTION_SECONDS:
        return
    request.session[SESSION_SEEN_KEY] = now
    key = request.session.session_key
    if key:
        AdministratorSession.objects.filter(session_key=key).update(
            last_seen_at=datetime.fromtimestamp(now, tz=UTC)
        )


class SessionTimeoutMiddleware:
    """End sessions after the idle or the absolute timeout; keep last-seen current.

    Runs before `AuthenticationMiddleware`, so an expired session is anonymous
    for the rest of the request. It reads only the session, so requests
    without a session cost no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            now = timezone.now().timestamp()
            reason = _expiry_reason(session, now)
            if reason is not None:
                _end_expired(request, reason)
            elif SESSION_STARTED_KEY in session:
                _touch(request, now)
        return self.get_response(request)
