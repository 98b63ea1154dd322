"""Read queries of the organization's availability settings and events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import Organization
from availability.models import (
    EmergencyBypass,
    FailureMode,
    MaintenanceWindow,
    ServiceFailureMode,
    ServiceState,
)
from users.models import Service


def service_state_get(organization: Organization) -> ServiceState:
    """Return the organization's switch; an unsaved default row when it has none."""
    state = ServiceState.objects.filter(organization=organization).first()
    return state or ServiceState(organization=organization)


def failure_mode_overrides(organization: Organization) -> dict[str, str]:
    """Return the per-service overrides, keyed by service."""
    rows = ServiceFailureMode.objects.for_organization(organization)
    return {row.service: row.mode for row in rows}


def failure_mode_for(organization: Organization, service: str) -> str:
    """Return the behaviour during errors that applies to `service`."""
    override = (
        ServiceFailureMode.objects.for_organization(organization)
        .filter(service=service)
        .values_list("mode", flat=True)
        .first()
    )
    if override:
        return override
    return service_state_get(organization).failure_mode


def failure_modes_effective(
    organization: Organization, state: ServiceState | None = None
) -> dict[str, str]:
    """Return the behaviour during errors of every service, overrides applied."""
    default = (state or service_state_get(organization)).failure_mode
    overrides = failure_mode_overrides(organization)
    return {service: overrides.get(service, default) for service in Service.values}


def emergency_bypass_active(
    organization: Organization, now: datetime
) -> EmergencyBypass | None:
    """Return the emergency bypass in force at `now`, if any."""
    return _bypasses_active(now).filter(organization=organization).first()


def _bypasses_active(now: datetime) -> QuerySet[EmergencyBypass]:
    return (
        EmergencyBypass.objects.filter(starts_at__lte=now, ends_at__gt=now)
        .exclude(ended_early_at__lte=now)
        .order_by("-starts_at")
    )


def emergency_bypass_list(organization: Organization) -> list[EmergencyBypass]:
    return list(EmergencyBypass.objects.for_organization(organization)[:100])


def maintenance_current(
    organization: Organization, now: datetime
) -> MaintenanceWindow | None:
    """Return the maintenance window in progress at `now`, if any."""
    return _windows_current(now).filter(organization=organization).first()


def _windows_current(now: datetime) -> QuerySet[MaintenanceWindow]:
    return MaintenanceWindow.objects.filter(
        starts_at__lte=now, ends_at__gt=now, cancelled_at__isnull=True
    ).order_by("starts_at")


def maintenance_upcoming(
    organization: Organization, now: datetime
) -> MaintenanceWindow | None:
    """Return the next window starting within the banner notice period, if any."""
    return _windows_upcoming(now).filter(organization=organization).first()


def _windows_upcoming(now: datetime) -> QuerySet[MaintenanceWindow]:
    notice = timedelta(hours=settings.AVAILABILITY_MAINTENANCE_NOTICE_HOURS)
    return MaintenanceWindow.objects.filter(
        starts_at__gt=now, starts_at__lte=now + notice, cancelled_at__isnull=True
    ).order_by("starts_at")


def maintenance_list(organization: Organization) -> list[MaintenanceWindow]:
    """Return the organization's windows, latest start first, past ones included."""
    return list(MaintenanceWindow.objects.for_organization(organization)[:200])


@dataclass(frozen=True)
class Banners:
    """Contents of the availability banners on every portal page."""

    service_state: ServiceState
    emergency_bypass: EmergencyBypass | None
    maintenance_current: MaintenanceWindow | None
    maintenance_upcoming: MaintenanceWindow | None

    @property
    def service_disabled(self) -> bool:
        return not self.service_state.enabled


def _first_id(queryset: QuerySet[Any], field: str = "pk") -> Subquery:
    return Subquery(queryset.filter(organization=OuterRef("pk")).values(field)[:1])


def banners_get(organization: Organization, now: datetime) -> Banners:
    """Return the banners in one query, plus one per banner that is shown.

    Every portal page renders the banners, so the common case of no banner
    costs a single query.
    """
    ids = (
        Organization.objects.filter(pk=organization.pk)
        .annotate(
            service_enabled=_first_id(ServiceState.objects.all(), "enabled"),
            bypass_id=_first_id(_bypasses_active(now)),
            current_id=_first_id(_windows_current(now)),
            upcoming_id=_first_id(_windows_upcoming(now)),
        )
        .values("service_enabled", "bypass_id", "current_id", "upcoming_id")
        .get()
    )
    state = ServiceState(organization=organization)
    if ids["service_enabled"] is False:
        state = service_state_get(organization)
    return Banners(
        service_state=state,
        emergency_bypass=_load(EmergencyBypass, ids["bypass_id"]),
        maintenance_current=_load(MaintenanceWindow, ids["current_id"]),
        maintenance_upcoming=_load(MaintenanceWindow, ids["upcoming_id"]),
    )


ModelT = TypeVar("ModelT", EmergencyBypass, MaintenanceWindow)


def _load(model: type[ModelT], pk: int | None) -> ModelT | None:
    return None if pk is None else model.objects.filter(pk=pk).first()


FAILURE_MODE_EXPLANATIONS = {
    FailureMode.REJECT: (
        "Nobody signs in while PingID cannot authenticate, so an outage locks "
        "people out but never lets an attacker in without a second factor."
    ),
    FailureMode.BYPASS: (
        "People sign in with their password alone while PingID cannot "
        "authenticate, so work goes on but a stolen password is enough to get in."
    ),
}
