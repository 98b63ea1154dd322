"""The demo organization of `make run`: deterministic and safe to seed again.

Each app adds its own demo data in `<app>/demo.py` with a `seed(organization)`
function; they run in the order of `DEMO_APPS`.
"""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from accounts.models import Membership, Organization
from pingid_portal.permissions import Role

DEMO_ORG_ALIAS = uuid.UUID("5f0c3a52-1d7e-4c55-9a8e-2b6f1c9d4e10")
DEMO_ORG_NAME = "Acme Corporation (demo)"
DEMO_APPS = [
    "users",
    "devices",
    "activity",
    "availability",
    "integrations",
    "accounts",
]


@dataclass(frozen=True)
class DemoAdministrator:
    email: str
    password: str
    role: str
    first_name: str
    last_name: str


DEMO_ADMINISTRATORS = [
    DemoAdministrator(
        "admin@acme.example",
        "demo-admin-password",
        Role.GLOBAL_ADMIN,
        "Grace",
        "Hopper",
    ),
    DemoAdministrator(
        "helpdesk@acme.example", "demo-helpdesk-password", Role.HELP_DESK, "Hal", "Desk"
    ),
    DemoAdministrator(
        "auditor@acme.example", "demo-auditor-password", Role.AUDITOR, "Ada", "Audit"
    ),
]


def seed_organization() -> Organization:
    organization, _ = Organization.objects.get_or_create(
        org_alias=DEMO_ORG_ALIAS,
        defaults={"name": DEMO_ORG_NAME, "time_zone": "Europe/Berlin"},
    )
    for admin in DEMO_ADMINISTRATORS:
        user, created = User.objects.get_or_create(
            username=admin.email,
            defaults={
                "email": admin.email,
                "first_name": admin.first_name,
                "last_name": admin.last_name,
            },
        )
        if created:
            user.set_password(admin.password)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user,
            defaults={
                "organization": organization,
                "role": admin.role,
                "time_zone": "Europe/Berlin",
            },
        )
    return organization


def seed_demo() -> Organization:
    """Create or complete the demo organization and every app's demo data."""
    with transaction.atomic():
        organization = seed_organization()
    for app in DEMO_APPS:
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{app}.demo":
                raise
            continue
        with transaction.atomic():
            module.seed(organization)
    return organization
