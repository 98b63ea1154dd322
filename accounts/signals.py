"""Activity events for sign-in and sign-out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.models import User
from django.dispatch import receiver
from django.http import HttpRequest

from activity.models import Outcome
from activity.services import event_record
from pingid_portal.actors import Actor, client_ip, request_user_agent
from pingid_portal.tenancy import membership_of


@receiver(user_logged_in)
def record_sign_in(
    sender: Any, request: HttpRequest, user: User, **kwargs: Any
) -> None:
    membership = membership_of(user)
    if membership is None:
        return
    event_record(
        actor=Actor.from_request(request, membership),
        action="administrator.sign_in",
        target=membership,
        target_display=user.email,
    )


@receiver(user_logged_out)
def record_sign_out(
    sender: Any, request: HttpRequest, user: User | None, **kwargs: Any
) -> None:
    membership = membership_of(user)
    if membership is None:
        return
    event_record(
        actor=Actor.from_request(request, membership),
        action="administrator.sign_out",
        target=membership,
        target_display=user.email if user else "",
    )


@receiver(user_login_failed)
def record_sign_in_failure(
    sender: Any,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    """Record a failed sign-in, in the organization of the account when it exists."""
    username = str(credentials.get("username", ""))
    user = (
        User.objects.filter(username__iexact=username)
        .select_related("membership")
        .first()
    )
    membership = getattr(user, "membership", None) if user else None
    event_record(
        organization=membership.organization if membership else None,
        actor=None,
        actor_display=username,
        action="administrator.sign_in",
        outcome=Outcome.FAILURE,
        target_type="membership" if membership else "",
        target_id=membership.pk if membership else "",
        target_display=username,
        message="Wrong e-mail address or password.",
        ip_address=client_ip(request) if request else None,
        user_agent=request_user_agent(request) if request else "",
    )


@receiver(user_logged_in)
def track_session(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Start the idle and absolute timeouts and list the session on the sessions page."""
    from accounts.sessions import session_track_start

    if request is not None and hasattr(request, "session"):
        session_track_start(request, user)
