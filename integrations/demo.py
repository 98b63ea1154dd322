"""Demo settings files: one full and one authentication-only file."""

from __future__ import annotations

from accounts.models import Organization
from integrations.models import SettingsFile, SettingsFileKind
from integrations.properties import signing_key_generate

# Fixed tokens keep seeding idempotent; the keys are random on every new database.
DEMO_FILES = [
    ("0f1e2d3c4b5a69788796a5b4c3d2e1f0", SettingsFileKind.FULL),
    ("a1b2c3d4e5f60718293a4b5c6d7e8f90", SettingsFileKind.AUTH_ONLY),
]


def seed(organization: Organization) -> None:
    for token, kind in DEMO_FILES:
        SettingsFile.objects.get_or_create(
            token=token,
            defaults={
                "organization": organization,
                "kind": kind,
                "signing_key": signing_key_generate(),
                "created_by_display": "seed_demo",
            },
        )
