"""The lost-device page: unpair, optionally bypass, optionally issue a code.

The bypass part is the users area's bypass form (`users.views.bypass`), so
durations, services, time zone and role limits are the same as there.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from devices import services
from devices.display import device_label
from devices.forms import LostDeviceForm
from devices.models import Device
from devices.qr import qr_svg
from devices.services.activation import HOURS_DEFAULT, format_code
from devices.views.common import device_or_unpaired, no_store, user_url
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.permissions import Action, has_permission
from pingid_portal.views import portal_view
from users.forms import BypassForm
from users.services import bypass_cap
from users.views.bypass import bypass_form

# Service error fields and the lost-device form fields they belong to.
LOST_FORM_FIELDS = {"hours": "code_hours", "device_type": "code_device_type"}
BYPASS_PREFIX = "bypass"


def _bypass_form(request: PortalRequest, device: Device) -> BypassForm:
    form = bypass_form(request, device.user, bound=False)
    form.prefix = BYPASS_PREFIX
    # Its fields are required only when the bypass box is ticked, so the
    # browser must not insist on them.
    form.use_required_attribute = False
    if request.method == "POST":
        form.data = request.POST
        form.is_bound = True
    return form


def _bypass_request(
    lost: LostDeviceForm, bypass: BypassForm
) -> services.BypassRequest | None:
    if not lost.cleaned_data.get("bypass"):
        return None
    until, unlimited = bypass.end(timezone.now())
    return services.BypassRequest(
        until=until,
        unlimited=unlimited,
        reason=bypass.cleaned_data["reason"],
        # No service ticked bypasses every service of the user.
        services=bypass.cleaned_data["services"] or None,
    )


def _bypass_error(bypass: BypassForm, error: ServiceError) -> None:
    if error.field == "until":
        chosen = bypass.cleaned_data.get("duration")
        bypass.add_error(
            "until_local" if chosen == "until" else "duration", error.message
        )
    elif error.field in bypass.fields:
        bypass.add_error(error.field, error.message)


@portal_view(Action.DEVICE_MANAGE)
def device_lost(request: PortalRequest, device_id: int) -> HttpResponse:
    device = device_or_unpaired(request, device_id)
    if device is None:
        messages.warning(request, "This device is already unpaired.")
        return HttpResponseRedirect(reverse("devices:device_list"))
    lost = LostDeviceForm(request.POST if request.method == "POST" else None)
    bypass = _bypass_form(request, device)
    may_bypass = has_permission(request.membership.role, Action.USER_BYPASS)
    context: dict[str, object] = {
        "device": device,
        "label": device_label(device),
        "pingid_user": device.user,
        "form": lost,
        "bypass_form": bypass,
        "back": user_url(device.user_id),
        "may_bypass": may_bypass,
        "cap_hours": _cap_hours(request),
    }
    if request.method == "POST" and _valid(lost, bypass):
        done, result = _recover(request, device, lost, bypass)
        if done and result is not None:
            messages.success(request, _summary(context["label"], result))
            if result.code is None:
                return HttpResponseRedirect(user_url(device.user_id))
            context.update(
                result=result, code=format_code(result.code), qr=qr_svg(result.code)
            )
        elif not done and not (lost.errors or bypass.errors):
            return HttpResponseRedirect(user_url(device.user_id))
    return no_store(render(request, "devices/device_lost.html", context))


def _valid(lost: LostDeviceForm, bypass: BypassForm) -> bool:
    if not lost.is_valid():
        return False
    return not lost.cleaned_data.get("bypass") or bypass.is_valid()


def _recover(
    request: PortalRequest, device: Device, lost: LostDeviceForm, bypass: BypassForm
) -> tuple[bool, services.LostDeviceResult | None]:
    data = lost.cleaned_data
    bypass_request = _bypass_request(lost, bypass)
    try:
        result = services.device_lost_recover(
            actor=Actor.from_request(request),
            device=device,
            reason=data["reason"],
            note=data["note"],
            bypass=bypass_request,
            issue_code=bool(data["issue_code"]),
            code_hours=data.get("code_hours") or HOURS_DEFAULT,
            code_device_type=data.get("code_device_type") or "",
        )
    except ConflictError as error:
        messages.warning(request, error.message)
        return False, None
    except ServiceError as error:
        # With a bypass, "reason" is the bypass reason, because the form's
        # choices already checked the unpair reason.
        if bypass_request is not None and error.field in (
            "until",
            "services",
            "reason",
        ):
            _bypass_error(bypass, error)
        else:
            field = LOST_FORM_FIELDS.get(error.field or "", error.field)
            lost.add_error(field if field in lost.fields else None, error.message)
        messages.error(request, error.message)
        return False, None
    return True, result


def _cap_hours(request: PortalRequest) -> int | None:
    cap = bypass_cap(Actor.from_request(request))
    return None if cap is None else int(cap.total_seconds() // 3600)


def _summary(label: object, result: services.LostDeviceResult) -> str:
    parts = [f"{label} is unpaired."]
    if result.promoted is not None:
        parts.append(f"{device_label(result.promoted)} is now the primary device.")
    if result.bypassed:
        parts.append("MFA is bypassed.")
    if result.code is not None:
        parts.append("Give the activation code below to the user.")
    return " ".join(parts)
