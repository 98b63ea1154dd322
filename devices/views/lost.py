"""The lost-device page: unpair, optionally bypass, optionally issue a code."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from devices import services
from devices.display import device_label
from devices.forms import LostDeviceForm
from devices.qr import qr_svg
from devices.services.activation import format_code
from devices.views.common import device_or_unpaired, no_store, service_run, user_url
from pingid_portal.actors import Actor
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action, has_permission
from pingid_portal.views import portal_view

# Service error fields and the lost-device form fields they belong to.
LOST_FORM_FIELDS = {
    "until": "bypass_until",
    "services": "bypass",
    "hours": "code_hours",
    "device_type": "code_device_type",
}


def _bypass_of(form: LostDeviceForm) -> services.BypassRequest | None:
    data = form.cleaned_data
    if not data.get("bypass"):
        return None
    return services.BypassRequest(
        until=data.get("bypass_until"),
        unlimited=bool(data.get("bypass_unlimited")),
        reason=data.get("bypass_reason") or "",
    )


@portal_view(Action.DEVICE_MANAGE)
def device_lost(request: PortalRequest, device_id: int) -> HttpResponse:
    device = device_or_unpaired(request, device_id)
    if device is None:
        messages.warning(request, "This device is already unpaired.")
        return HttpResponseRedirect(reverse("devices:device_list"))
    form = LostDeviceForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {
        "device": device,
        "label": device_label(device),
        "pingid_user": device.user,
        "form": form,
        "back": user_url(device.user_id),
        "may_bypass": has_permission(request.membership.role, Action.USER_BYPASS),
    }
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        data = form.cleaned_data
        done, result = service_run(
            request,
            lambda: services.device_lost_recover(
                actor=actor,
                device=device,
                reason=data["reason"],
                note=data["note"],
                bypass=_bypass_of(form),
                issue_code=bool(data["issue_code"]),
                code_hours=data.get("code_hours") or 48,
                code_device_type=data.get("code_device_type") or "",
            ),
            form,
            field_map=LOST_FORM_FIELDS,
        )
        if done and result is not None:
            messages.success(request, _summary(context["label"], result))
            if result.code is None:
                return HttpResponseRedirect(user_url(device.user_id))
            context.update(
                result=result, code=format_code(result.code), qr=qr_svg(result.code)
            )
        elif not done and not form.errors:
            return HttpResponseRedirect(user_url(device.user_id))
    return no_store(render(request, "devices/device_lost.html", context))


def _summary(label: object, result: services.LostDeviceResult) -> str:
    parts = [f"{label} is unpaired."]
    if result.promoted is not None:
        parts.append(f"{device_label(result.promoted)} is now the primary device.")
    if result.bypassed:
        parts.append("MFA is bypassed.")
    if result.code is not None:
        parts.append("Give the activation code below to the user.")
    return " ".join(parts)
