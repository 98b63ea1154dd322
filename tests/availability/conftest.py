from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership
from availability.models import EmergencyBypass, MaintenanceWindow
from pingid_portal.actors import Actor


@pytest.fixture
def admin_actor(global_admin: Membership) -> Actor:
    return Actor.for_membership(global_admin, ip_address="127.0.0.1")


@pytest.fixture
def now() -> datetime:
    return timezone.now()


def make_window(
    actor: Actor, starts_at: datetime, ends_at: datetime, message: str = "Upgrade"
) -> MaintenanceWindow:
    """Create a window directly, bypassing the rule that a new window ends in the future."""
    return MaintenanceWindow.objects.create(
        organization=actor.organization,
        starts_at=starts_at,
        ends_at=ends_at,
        message=message,
        created_by=actor.display,
    )


def make_bypass(
    actor: Actor,
    starts_at: datetime,
    length: timedelta = timedelta(hours=2),
    services: list[str] | None = None,
) -> EmergencyBypass:
    return EmergencyBypass.objects.create(
        organization=actor.organization,
        starts_at=starts_at,
        ends_at=starts_at + length,
        services=services or [],
        reason="Push provider down",
        started_by=actor.display,
    )
