"""Pages that change availability: the switch, behaviour during errors and
emergency bypass."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from availability import selectors
from availability.forms import EmergencyBypassForm, FailureModesForm, ServiceSwitchForm
from availability.models import EmergencyBypass, FailureMode
from availability.services import (
    availability_set_failure_modes,
    availability_set_service,
)
from availability.services import (
    emergency_bypass_end as end_bypass,
)
from availability.services import (
    emergency_bypass_start as start_bypass,
)
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization
from pingid_portal.views import form_add_service_error, portal_view


def _settings_context(
    request: PortalRequest,
    switch_form: ServiceSwitchForm | None = None,
    modes_form: FailureModesForm | None = None,
) -> dict[str, Any]:
    organization = request.organization
    state = selectors.service_state_get(organization)
    overrides = selectors.failure_mode_overrides(organization)
    if switch_form is None:
        switch_form = ServiceSwitchForm(
            initial={"enabled": "false" if state.enabled else "true"}
        )
    if modes_form is None:
        initial = {"default_mode": state.failure_mode}
        initial.update({f"override_{name}": mode for name, mode in overrides.items()})
        modes_form = FailureModesForm(initial=initial)
    return {
        "state": state,
        "switch_form": switch_form,
        "modes_form": modes_form,
        "effective_modes": selectors.failure_modes_effective(organization),
        "explanations": [
            (label, selectors.FAILURE_MODE_EXPLANATIONS[FailureMode(value)])
            for value, label in FailureMode.choices
        ],
    }


@portal_view()
def settings_page(request: PortalRequest) -> HttpResponse:
    return render(request, "availability/settings.html", _settings_context(request))


@portal_view(Action.AVAILABILITY_MANAGE)
def service_switch(request: PortalRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("availability:settings")

    form = ServiceSwitchForm(request.POST)
    if form.is_valid():
        try:
            state = availability_set_service(
                actor=Actor.from_request(request),
                enabled=form.cleaned_data["enabled"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            word = "enabled" if state.enabled else "disabled"
            messages.success(request, f"PingID is now {word} for this organization.")
            return redirect("availability:settings")

    context = _settings_context(request, switch_form=form)
    return render(request, "availability/settings.html", context)


@portal_view(Action.AVAILABILITY_MANAGE)
def failure_modes(request: PortalRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("availability:settings")

    form = FailureModesForm(request.POST)
    if form.is_valid():
        try:
            availability_set_failure_modes(
                actor=Actor.from_request(request),
                default_mode=form.cleaned_data["default_mode"],
                overrides=form.overrides(),
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Behaviour during errors saved.")
            return redirect("availability:settings")

    context = _settings_context(request, modes_form=form)
    return render(request, "availability/settings.html", context)


def _bypass_context(
    request: PortalRequest, form: EmergencyBypassForm | None = None
) -> dict[str, Any]:
    now = timezone.now()
    return {
        "form": form or EmergencyBypassForm(),
        "active": selectors.emergency_bypass_active(request.organization, now),
        "bypasses": selectors.emergency_bypass_list(request.organization),
        "now": now,
    }


@portal_view()
def emergency_bypass(request: PortalRequest) -> HttpResponse:
    with timezone.override(request.membership.time_zone):
        context = _bypass_context(request)
    return render(request, "availability/emergency_bypass.html", context)


@portal_view(Action.AVAILABILITY_MANAGE)
def emergency_bypass_start(request: PortalRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("availability:emergency_bypass")

    with timezone.override(request.membership.time_zone):
        form = EmergencyBypassForm(request.POST)
        valid = form.is_valid()
    if valid:
        try:
            start_bypass(
                actor=Actor.from_request(request),
                ends_at=form.cleaned_data["ends_at"],
                reason=form.cleaned_data["reason"],
                services=form.cleaned_data["services"],
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.warning(request, "Emergency bypass started: MFA is skipped.")
            return redirect("availability:emergency_bypass")

    context = _bypass_context(request, form)
    return render(request, "availability/emergency_bypass.html", context)


@portal_view(Action.AVAILABILITY_MANAGE)
def emergency_bypass_end(request: PortalRequest, bypass_id: int) -> HttpResponse:
    bypass = get_for_organization(
        EmergencyBypass.objects.all(), request.organization, pk=bypass_id
    )
    if request.method != "POST":
        return redirect("availability:emergency_bypass")

    try:
        end_bypass(actor=Actor.from_request(request), bypass=bypass)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Emergency bypass ended: MFA is required again.")
    return redirect("availability:emergency_bypass")
