"""Maintenance window pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from availability import selectors
from availability.forms import MaintenanceWindowForm
from availability.models import MaintenanceWindow
from availability.services import maintenance_window_cancel, maintenance_window_create
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.tenancy import get_for_organization
from pingid_portal.views import form_add_service_error, portal_view


def _list_context(
    request: PortalRequest, form: MaintenanceWindowForm | None = None
) -> dict[str, Any]:
    now = timezone.now()
    windows = selectors.maintenance_list(request.organization)
    return {
        "form": form or MaintenanceWindowForm(),
        "rows": [(window, window.status(now)) for window in windows],
    }


@portal_view()
def maintenance_list(request: PortalRequest) -> HttpResponse:
    context = _list_context(request)
    return render(request, "availability/maintenance_list.html", context)


@portal_view(Action.AVAILABILITY_MANAGE)
def maintenance_create(request: PortalRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("availability:maintenance_list")

    with timezone.override(request.membership.time_zone):
        form = MaintenanceWindowForm(request.POST)
        valid = form.is_valid()
    if valid:
        try:
            maintenance_window_create(
                actor=Actor.from_request(request),
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                message=form.cleaned_data["message"],
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Maintenance window scheduled.")
            return redirect("availability:maintenance_list")

    context = _list_context(request, form)
    return render(request, "availability/maintenance_list.html", context)


@portal_view(Action.AVAILABILITY_MANAGE)
def maintenance_cancel(request: PortalRequest, window_id: int) -> HttpResponse:
    window = get_for_organization(
        MaintenanceWindow.objects.all(), request.organization, pk=window_id
    )
    if request.method != "POST":
        return redirect("availability:maintenance_list")

    try:
        maintenance_window_cancel(actor=Actor.from_request(request), window=window)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Maintenance window cancelled or ended.")
    return redirect("availability:maintenance_list")
