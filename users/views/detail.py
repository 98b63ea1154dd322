"""The user page and its actions: disable, enable, Resume MFA and remove."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.views import form_add_service_error, portal_view
from users.forms import OptionalReasonForm, ReasonForm, RemoveForm
from users.models import PingIDUser, Service
from users.selectors import user_recent_activity
from users.services import user_activate, user_bypass_end, user_remove, user_suspend
from users.views.common import (
    conflict_redirect,
    user_for_action,
)


@portal_view()
def user_detail(request: PortalRequest, user_id: int) -> HttpResponse:
    user = user_for_action(request, user_id)
    if isinstance(user, HttpResponse):
        return user

    services = list(user.services.all())
    devices = list(user.devices.all())
    activity = user_recent_activity(request.organization, user)

    return render(
        request,
        "users/user_detail.html",
        {
            "user": user,
            "services": services,
            "bypassed": [row for row in services if row.is_bypassed()],
            "devices": devices,
            "activity": activity,
        },
    )


ReasonCall = Callable[..., object]


def _reason_action(
    request: PortalRequest,
    user_id: int,
    *,
    call: ReasonCall,
    form_class: type[ReasonForm] | type[OptionalReasonForm],
    title: str,
    button: str,
    done: str,
) -> HttpResponse:
    """Run a reason-only action on a user: show the form, then call the service."""
    user = user_for_action(request, user_id)
    if isinstance(user, HttpResponse):
        return user
    form = form_class(request.POST or None)

    if request.method == "POST" and form.is_valid():
        try:
            call(actor=Actor.from_request(request), user=user, **form.cleaned_data)
        except ConflictError as error:
            return conflict_redirect(request, error, user)
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, done.format(username=user.username))
            return redirect("users:user_detail", user_id=user.pk)

    context = {"user": user, "form": form, "title": title, "button": button}
    return render(request, "users/user_action.html", context)


@portal_view(Action.USER_MANAGE)
def user_disable(request: PortalRequest, user_id: int) -> HttpResponse:
    return _reason_action(
        request,
        user_id,
        call=user_suspend,
        form_class=ReasonForm,
        title="Disable PingID user",
        button="Disable",
        done="{username} is disabled and cannot authenticate until enabled again.",
    )


@portal_view(Action.USER_MANAGE)
def user_enable(request: PortalRequest, user_id: int) -> HttpResponse:
    return _reason_action(
        request,
        user_id,
        call=user_activate,
        form_class=ReasonForm,
        title="Enable PingID user",
        button="Enable",
        done="{username} is enabled again.",
    )


@portal_view(Action.USER_BYPASS)
def user_resume_mfa(request: PortalRequest, user_id: int) -> HttpResponse:
    service = request.POST.get("service") or request.GET.get("service") or None
    if service not in (None, *Service.values):
        service = None

    def end(*, actor: Actor, user: PingIDUser, reason: str) -> object:
        services = [service] if service else None
        return user_bypass_end(actor=actor, user=user, services=services, reason=reason)

    return _reason_action(
        request,
        user_id,
        call=end,
        form_class=OptionalReasonForm,
        title=f"Resume MFA on {service}" if service else "Resume MFA",
        button="Resume MFA",
        done="MFA is required again for {username}"
        + (f" on {service}." if service else "."),
    )


@portal_view(Action.USER_MANAGE)
def user_remove_view(request: PortalRequest, user_id: int) -> HttpResponse:
    user = user_for_action(request, user_id)
    if isinstance(user, HttpResponse):
        return user
    enabled = [row.service for row in user.services.all() if row.enabled]
    form = RemoveForm(request.POST or None, initial={"scope": request.GET.get("scope")})
    scope_field = form.fields["scope"]
    scope_field.choices = [  # type: ignore[attr-defined]
        choice
        for choice in scope_field.choices  # type: ignore[attr-defined]
        if choice[0] == "user" or choice[0] in enabled
    ]
    device_count = user.devices.count()

    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        service = None if scope == "user" else scope
        try:
            user_remove(
                actor=Actor.from_request(request),
                user=user,
                service=service,
                reason=form.cleaned_data["reason"],
            )
        except ConflictError as error:
            return conflict_redirect(request, error, user)
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            if service:
                messages.success(request, f"{user.username} is removed from {service}.")
                return redirect("users:user_detail", user_id=user.pk)
            messages.success(
                request,
                f"{user.username} is removed with {device_count} device(s). Their "
                "activity history stays, under the same username.",
            )
            return redirect("users:user_list")

    context = {"user": user, "form": form, "device_count": device_count}
    return render(request, "users/user_remove.html", context)
