"""Template helpers of the devices area, for its pages and the user page."""

from __future__ import annotations

from typing import Any

from django import template

from devices import selectors
from devices.display import device_label, masked_display_id
from devices.models import Device
from pingid_portal.permissions import Action, has_permission
from users.models import PingIDUser

register = template.Library()


@register.filter(name="masked_display_id")
def masked_display_id_filter(device: Device) -> str:
    return masked_display_id(device)


@register.filter(name="device_label")
def device_label_filter(device: Device) -> str:
    return device_label(device)


@register.inclusion_tag("devices/_user_devices.html", takes_context=True)
def user_devices_panel(
    context: template.Context, pingid_user: PingIDUser
) -> dict[str, Any]:
    """Render a PingID user's devices with their actions.

    Use it on any page: `{% load devices_tags %}{% user_devices_panel pingid_user %}`.
    """
    request = context.get("request")
    membership = context.get("membership")
    role = getattr(membership, "role", None)
    return {
        "pingid_user": pingid_user,
        "user_devices": selectors.user_devices(pingid_user),
        "otp_state": selectors.otp_state_of(pingid_user),
        "can_manage_devices": has_permission(role, Action.DEVICE_MANAGE),
        "csrf_token": context.get("csrf_token"),
        "next_path": request.get_full_path() if request is not None else "",
    }


@register.filter(name="pingid_user_url")
def pingid_user_url(user_id: int) -> str:
    """Return the page of a PingID user (see `devices.views.common.user_url`)."""
    from devices.views.common import user_url

    return user_url(user_id)
