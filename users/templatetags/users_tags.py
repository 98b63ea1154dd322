"""Template filters of the users area."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timeuntil

from users.models import UserService, UserStatus

register = template.Library()

STATUS_BADGES = {
    UserStatus.ACTIVE: "badge-success",
    UserStatus.SUSPENDED: "badge-danger",
    UserStatus.PENDING_CHANGE_DEVICE: "badge-warning",
    UserStatus.PENDING: "badge-info",
    UserStatus.PENDING_ACTIVATION: "badge-info",
    UserStatus.NOT_ACTIVE: "badge-muted",
}


@register.filter
def status_badge(status: str) -> str:
    """Return the badge class of a PingID user status."""
    return STATUS_BADGES.get(status, "badge-muted")  # type: ignore[call-overload]


@register.filter
def bypass_remaining(row: UserService, now: datetime | None = None) -> str:
    """Return how long the bypass of `row` still lasts, such as "3 hours, 12 minutes"."""
    if row.bypass_unlimited:
        return "no end"
    if row.bypass_until is None:
        return ""
    return timeuntil(row.bypass_until, now or timezone.now(), depth=2)


@register.filter
def change_value(value: object) -> str:
    """Return a value of an import change as text, a list such as "web, vpn"."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "none"
    return str(value)
