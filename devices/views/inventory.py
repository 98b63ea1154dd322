"""The devices page, a device's page and its one-click actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activity.models import ActivityEvent
from devices import selectors, services
from devices.display import device_label
from devices.forms import DeviceFilterForm, RenameForm
from devices.views.common import (
    device_get,
    redirect_back,
    service_run,
    user_url,
)
from pingid_portal.actors import Actor
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.views import portal_view


def _filters(form: DeviceFilterForm) -> selectors.DeviceFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.DeviceFilters(
        type=data.get("type") or "",
        os_version=data.get("os_version") or "",
        app_version=data.get("app_version") or "",
        blocked=data.get("blocked") or "",
        unused_days=data.get("unused_days"),
    )


def _next_page_query(query: QueryDict, before_id: int | None) -> str:
    if before_id is None:
        return ""
    params = query.copy()
    params["before"] = str(before_id)
    return params.urlencode()


@portal_view()
def device_list(request: PortalRequest) -> HttpResponse:
    organization = request.organization
    form = DeviceFilterForm(
        request.GET or None,
        os_versions=selectors.version_choices(organization, "os_version"),
        app_versions=selectors.version_choices(organization, "app_version"),
    )
    before = form.cleaned_data.get("before") if form.is_valid() else None
    devices, next_before = selectors.device_page(
        organization, _filters(form), before_id=before
    )
    context = {
        "form": form,
        "devices": devices,
        "next_query": _next_page_query(request.GET, next_before),
        "first_page": before is None,
    }
    template = "devices/device_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


@portal_view()
def device_detail(request: PortalRequest, device_id: int) -> HttpResponse:
    device = device_get(request, device_id)
    events = ActivityEvent.objects.for_organization(request.organization).filter(
        device_id=str(device.pk)
    )[:20]
    context = {
        "device": device,
        "label": device_label(device),
        "user_url": user_url(device.user_id),
        "rename_form": RenameForm(initial={"nickname": device.nickname}),
        "events": events,
    }
    return render(request, "devices/device_detail.html", context)


def _device_action(request: PortalRequest, device_id: int, action: str) -> HttpResponse:
    device = device_get(request, device_id)
    actor = Actor.from_request(request)
    label = device_label(device)
    calls = {
        "primary": (
            lambda: services.device_set_primary(actor=actor, device=device),
            f"{label} is now the primary device.",
        ),
        "block": (
            lambda: services.device_block(actor=actor, device=device),
            f"{label} is blocked: it can no longer authenticate.",
        ),
        "unblock": (
            lambda: services.device_unblock(actor=actor, device=device),
            f"{label} is unblocked.",
        ),
        "up": (
            lambda: services.device_move(
                actor=actor, device=device, position=max(0, device.order - 1)
            ),
            f"{label} moved up.",
        ),
        "down": (
            lambda: services.device_move(
                actor=actor, device=device, position=device.order + 1
            ),
            f"{label} moved down.",
        ),
    }
    call, success = calls[action]
    done, _ = service_run(request, call)
    if done:
        messages.success(request, success)
    return redirect_back(request, user_url(device.user_id))


@portal_view(Action.DEVICE_MANAGE)
@require_POST
def device_set_primary(request: PortalRequest, device_id: int) -> HttpResponse:
    return _device_action(request, device_id, "primary")


@portal_view(Action.DEVICE_MANAGE)
@require_POST
def device_block(request: PortalRequest, device_id: int) -> HttpResponse:
    return _device_action(request, device_id, "block")


@portal_view(Action.DEVICE_MANAGE)
@require_POST
def device_unblock(request: PortalRequest, device_id: int) -> HttpResponse:
    return _device_action(request, device_id, "unblock")


@portal_view(Action.DEVICE_MANAGE)
@require_POST
def device_move_up(request: PortalRequest, device_id: int) -> HttpResponse:
    return _device_action(request, device_id, "up")


@portal_view(Action.DEVICE_MANAGE)
@require_POST
def device_move_down(request: PortalRequest, device_id: int) -> HttpResponse:
    return _device_action(request, device_id, "down")


@portal_view(Action.DEVICE_MANAGE)
@require_POST
def device_rename(request: PortalRequest, device_id: int) -> HttpResponse:
    device = device_get(request, device_id)
    form = RenameForm(request.POST)
    default = reverse("devices:device_detail", kwargs={"device_id": device.pk})
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["nickname"]))
        return redirect_back(request, default)
    actor = Actor.from_request(request)
    nickname = form.cleaned_data["nickname"]
    done, _ = service_run(
        request,
        lambda: services.device_rename(actor=actor, device=device, nickname=nickname),
    )
    if done:
        messages.success(request, "Nickname saved.")
    return redirect_back(request, default)
