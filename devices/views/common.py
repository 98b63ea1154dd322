"""Helpers shared by the devices pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import Organization
from activity.models import ActivityEvent
from devices.models import Device
from pingid_portal.errors import ConflictError, ServiceError
from pingid_portal.http import PortalRequest
from pingid_portal.tenancy import get_for_organization
from users.models import PingIDUser

ResultT = TypeVar("ResultT")


@cache
def _user_page_route() -> str:
    # A failed reverse() tries every URL pattern, so the result is cached.
    try:
        reverse("users:user_detail", kwargs={"user_id": 1})
    except NoReverseMatch:
        return "devices:user_devices"
    return "users:user_detail"


def user_url(user_id: int) -> str:
    """Return the users area's page of a PingID user, or this area's devices page
    of that user while the users area has none."""
    return reverse(_user_page_route(), kwargs={"user_id": user_id})


def device_get(request: PortalRequest, device_id: int) -> Device:
    return get_for_organization(
        Device.objects.select_related("user"), request.organization, pk=device_id
    )


def device_or_unpaired(request: PortalRequest, device_id: int) -> Device | None:
    """Return the device, or None when it was unpaired in this organization.

    Any other missing device is a 404, so another organization's ids reveal
    nothing.
    """
    device = (
        Device.objects.for_organization(request.organization)
        .select_related("user")
        .filter(pk=device_id)
        .first()
    )
    if device is not None:
        return device
    if device_was_unpaired(request.organization, device_id):
        return None
    raise Http404("No device matches the given query.")


def device_was_unpaired(organization: Organization, device_id: int) -> bool:
    """Return whether this organization's activity log records the unpairing."""
    events = ActivityEvent.objects.for_organization(organization)
    if events.filter(action="device.unpair", device_id=str(device_id)).exists():
        return True
    # "Unpair all" writes one event listing its devices in `before`.
    # NOTE: only the latest 200 such events are searched.
    recent = events.filter(action="device.unpair_all").values_list("before", flat=True)
    for before in recent[:200]:
        listed = (before or {}).get("devices", [])
        if any(entry.get("id") == device_id for entry in listed):
            return True
    return False


def pingid_user_get(request: PortalRequest, user_id: int) -> PingIDUser:
    return get_for_organization(
        PingIDUser.objects.all(), request.organization, pk=user_id
    )


def next_url(request: HttpRequest, default: str) -> str:
    """Return the safe `next` of the form, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def service_run(
    request: HttpRequest,
    call: Callable[[], ResultT],
    form: forms.Form | None = None,
    field_map: dict[str, str] | None = None,
) -> tuple[bool, ResultT | None]:
    """Call a service; show its error once, on `form` if given, else as a flash line.

    On the form, the error goes beside the field it names, or above the form.
    A `ConflictError` (someone else changed the target first) is a warning,
    never an error page. `field_map` renames service fields to form fields.
    """
    try:
        return True, call()
    except ConflictError as error:
        messages.warning(request, error.message)
    except ServiceError as error:
        if form is None:
            messages.error(request, error.message)
        else:
            field = (field_map or {}).get(error.field or "", error.field)
            field = field if field in form.fields else None
            form.add_error(field, error.message)
    return False, None


def redirect_back(request: HttpRequest, default: str) -> HttpResponse:
    return HttpResponseRedirect(next_url(request, default))


def no_store(response: HttpResponse) -> HttpResponse:
    """Keep a page with a secret out of every cache and the browser history."""
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response
