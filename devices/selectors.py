"""Read queries of the devices area, scoped to one organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Organization
from devices.models import Device, OtpState
from users.models import PingIDUser

PAGE_SIZE = 50


@dataclass(frozen=True)
class DeviceFilters:
    type: str = ""
    os_version: str = ""
    app_version: str = ""
    # "yes", "no" or "" for either.
    blocked: str = ""
    unused_days: int | None = None
    user: PingIDUser | None = None


def device_queryset(
    organization: Organization, filters: DeviceFilters
) -> QuerySet[Device]:
    queryset = Device.objects.for_organization(organization).select_related("user")
    if filters.type:
        queryset = queryset.filter(type=filters.type)
    if filters.os_version:
        queryset = queryset.filter(os_version=filters.os_version)
    if filters.app_version:
        queryset = queryset.filter(app_version=filters.app_version)
    if filters.blocked == "yes":
        queryset = queryset.filter(blocked=True)
    elif filters.blocked == "no":
        queryset = queryset.filter(blocked=False)
    if filters.unused_days is not None:
        # A device never used counts from its pairing.
        cutoff = timezone.now() - timedelta(days=filters.unused_days)
        queryset = queryset.filter(
            Q(last_used_at__lt=cutoff)
            | Q(last_used_at__isnull=True, paired_at__lt=cutoff)
        )
    if filters.user is not None:
        queryset = queryset.filter(user=filters.user)
    return queryset


def device_page(
    organization: Organization,
    filters: DeviceFilters,
    *,
    before_id: int | None = None,
    size: int = PAGE_SIZE,
) -> tuple[list[Device], int | None]:
    """Return one page of devices, newest first, and the id the next page starts
    before (None on the last page). Keyset paging stays fast on deep pages."""
    queryset = device_queryset(organization, filters).order_by("-id")
    if before_id is not None:
        queryset = queryset.filter(id__lt=before_id)
    rows = list(queryset[: size + 1])
    if len(rows) > size:
        return rows[:size], rows[size - 1].pk
    return rows, None


def version_choices(organization: Organization, field: str) -> list[str]:
    """Return the distinct non-empty values of `os_version` or `app_version`."""
    assert field in ("os_version", "app_version")
    values = (
        Device.objects.for_organization(organization)
        .exclude(**{field: ""})
        .order_by(field)
        .values_list(field, flat=True)
        .distinct()
    )
    return list(values)


def user_devices(user: PingIDUser) -> list[Device]:
    return list(Device.objects.filter(user=user).order_by("order", "id"))


def otp_state_of(user: PingIDUser) -> OtpState | None:
    return OtpState.objects.filter(user=user).first()
