"""The bypass form: choose services and an end, review it, then confirm."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action, has_permission
from pingid_portal.views import form_add_service_error, portal_view
from users.forms import BypassForm
from users.models import PingIDUser
from users.services import bypass_cap, check_bypass_end, user_bypass
from users.views.common import (
    conflict_redirect,
    user_for_action,
)


def bypass_form(
    request: PortalRequest, user: PingIDUser | None, *, bound: bool = True
) -> BypassForm:
    """Build the bypass form for `user` (None: several users at once)."""
    choices = None
    if user is not None:
        choices = [
            (row.service, row.get_service_display())
            for row in user.services.all()
            if row.enabled
        ]
    return BypassForm(
        (request.POST or None) if bound else None,
        time_zone=request.membership.time_zone,
        allow_unlimited=has_permission(
            request.membership.role, Action.USER_BYPASS_UNLIMITED
        ),
        service_choices=choices,
    )


def review_bypass(request: PortalRequest, form: BypassForm) -> dict[str, object] | None:
    """Check a filled bypass form against the rules; return what the review shows."""
    actor = Actor.from_request(request)
    now = timezone.now()
    until, unlimited = form.end(now)
    try:
        check_bypass_end(actor=actor, until=until, unlimited=unlimited, now=now)
    except ServiceError as error:
        if error.field == "until":
            field = (
                "until_local"
                if form.cleaned_data["duration"] == "until"
                else "duration"
            )
            form.add_error(field, error.message)
        else:
            form_add_service_error(form, error)
        return None
    return {
        "until": until,
        "unlimited": unlimited,
        "services": form.cleaned_data["services"],
        "time_zone": request.membership.time_zone,
    }


@portal_view(Action.USER_BYPASS)
def user_bypass_view(request: PortalRequest, user_id: int) -> HttpResponse:
    user = user_for_action(request, user_id)
    if isinstance(user, HttpResponse):
        return user
    form = bypass_form(request, user)
    step = request.POST.get("step", "")
    confirmed = step == "confirm"

    review = None
    if step in ("review", "confirm") and form.is_valid():
        review = review_bypass(request, form)

    if review is not None and confirmed:
        try:
            user_bypass(
                actor=Actor.from_request(request),
                user=user,
                services=form.cleaned_data["services"] or None,
                until=review["until"],  # type: ignore[arg-type]
                unlimited=bool(review["unlimited"]),
                reason=form.cleaned_data["reason"],
            )
        except ConflictError as error:
            return conflict_redirect(request, error, user)
        except ServiceError as error:
            form_add_service_error(form, error)
            review = None
        else:
            messages.success(request, f"MFA is bypassed for {user.username}.")
            return redirect("users:user_detail", user_id=user.pk)

    cap = bypass_cap(Actor.from_request(request))
    context = {
        "user": user,
        "form": form,
        "review": review,
        "cap_hours": int(cap.total_seconds() // 3600) if cap else None,
    }
    return render(request, "users/user_bypass.html", context)
