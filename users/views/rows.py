"""Rows of the users page, prepared in Python.

A page shows 50 users with several services each, and template filters such
as `naturaltime` and `date` cost a translation lookup or a time zone
conversion per call. Preparing the display values here keeps the page within
its time budget on large organizations (see docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from pingid_portal.times import local_time_text
from users.selectors import UserRow
from users.templatetags.users_tags import STATUS_BADGES

UNITS = (("d", 86400), ("h", 3600), ("min", 60))


def short_duration(seconds: float) -> str:
    """Return a duration such as "2 d 4 h", "3 h 12 min" or "45 min" (two units at most)."""
    if seconds < 60:
        return "under 1 min"
    parts: list[str] = []
    for unit, size in UNITS:
        count, seconds = divmod(int(seconds), size)
        if count or parts:
            parts.append(f"{count} {unit}")
        if len(parts) == 2:
            break
    return " ".join(part for part in parts if not part.startswith("0 ")) or "0 min"


@dataclass(frozen=True)
class ServiceBadge:
    name: str
    # Time left as text, empty when MFA is not bypassed.
    bypass_left: str
    # End instant in the administrator's time zone, or "no end".
    bypass_end: str


@dataclass(frozen=True)
class RowView:
    pk: int
    username: str
    full_name: str
    email: str
    detail_url: str
    status_label: str
    status_class: str
    services: list[ServiceBadge]
    device_count: int
    last_authenticated: str
    last_authenticated_iso: str
    last_authenticated_ago: str


def _badges(row: UserRow, now: datetime) -> list[ServiceBadge]:
    badges = []
    for service in row.enabled_services:
        if not service.is_bypassed(now):
            badges.append(ServiceBadge(service.service, "", ""))
        elif service.bypass_unlimited or service.bypass_until is None:
            badges.append(ServiceBadge(service.service, "no end", "no end"))
        else:
            left = short_duration((service.bypass_until - now).total_seconds())
            end = local_time_text(service.bypass_until)
            badges.append(ServiceBadge(service.service, left, end))
    return badges


def row_views(rows: list[UserRow]) -> list[RowView]:
    now = timezone.now()
    # Reversed once: the detail URL differs only in the id.
    url_template = reverse("users:user_detail", args=[0]).replace("/0/", "/{}/")
    views = []
    for row in rows:
        user = row.user
        seen = user.last_authenticated_at
        views.append(
            RowView(
                pk=user.pk,
                username=user.username,
                full_name=user.full_name,
                email=user.email,
                detail_url=url_template.format(user.pk),
                status_label=user.get_status_display(),
                status_class=STATUS_BADGES.get(user.status, "badge-muted"),  # type: ignore[call-overload]
                services=_badges(row, now),
                device_count=row.device_count,
                last_authenticated=local_time_text(seen) if seen else "",
                last_authenticated_iso=seen.isoformat() if seen else "",
                last_authenticated_ago=short_duration((now - seen).total_seconds())
                if seen
                else "",
            )
        )
    return views
