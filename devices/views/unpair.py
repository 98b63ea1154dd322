"""A PingID user's devices page, unpairing and the OTP unlock."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from devices import selectors, services
from devices.display import device_label
from devices.forms import UnpairForm
from devices.views.common import (
    device_or_unpaired,
    next_url,
    pingid_user_get,
    redirect_back,
    service_run,
    user_url,
)
from pingid_portal.actors import Actor
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action
from pingid_portal.views import portal_view


@portal_view()
def user_devices(request: PortalRequest, user_id: int) -> HttpResponse:
    pingid_user = pingid_user_get(request, user_id)
    context = {"pingid_user": pingid_user}
    return render(request, "devices/user_devices.html", context)


@portal_view(Action.DEVICE_MANAGE)
def device_unpair(request: PortalRequest, device_id: int) -> HttpResponse:
    # A device someone else already unpaired is a warning, not an error page.
    device = device_or_unpaired(request, device_id)
    if device is None:
        messages.warning(request, "This device is already unpaired.")
        return HttpResponseRedirect(next_url(request, reverse("devices:device_list")))
    back = user_url(device.user_id)
    form = UnpairForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        label = device_label(device)
        done, promoted = service_run(
            request,
            lambda: services.device_unpair(
                actor=actor,
                device=device,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            ),
            form,
        )
        if done:
            text = f"{label} is unpaired."
            if promoted is not None:
                text += f" {device_label(promoted)} is now the primary device."
            messages.success(request, text)
        if done or not form.errors:
            return HttpResponseRedirect(next_url(request, back))
    context = {
        "devices": [device],
        "pingid_user": device.user,
        "form": form,
        "back": next_url(request, back),
        "all_devices": False,
    }
    return render(request, "devices/unpair_confirm.html", context)


@portal_view(Action.DEVICE_MANAGE)
def device_unpair_all(request: PortalRequest, user_id: int) -> HttpResponse:
    pingid_user = pingid_user_get(request, user_id)
    back = user_url(pingid_user.pk)
    devices = selectors.user_devices(pingid_user)
    form = UnpairForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        done, count = service_run(
            request,
            lambda: services.device_unpair_all(
                actor=actor,
                user=pingid_user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            ),
            form,
        )
        if done:
            messages.success(
                request,
                f"{count} devices of {pingid_user.username} are unpaired; the user "
                "must pair a new device.",
            )
        if done or not form.errors:
            return HttpResponseRedirect(next_url(request, back))
    context = {
        "devices": devices,
        "pingid_user": pingid_user,
        "form": form,
        "back": next_url(request, back),
        "all_devices": True,
    }
    return render(request, "devices/unpair_confirm.html", context)


@portal_view(Action.DEVICE_MANAGE)
@require_POST
def otp_unlock(request: PortalRequest, user_id: int) -> HttpResponse:
    pingid_user = pingid_user_get(request, user_id)
    actor = Actor.from_request(request)
    done, _ = service_run(
        request, lambda: services.otp_unlock(actor=actor, user=pingid_user)
    )
    if done:
        messages.success(
            request, f"One-time passwords of {pingid_user.username} are unlocked."
        )
    return redirect_back(request, user_url(pingid_user.pk))
