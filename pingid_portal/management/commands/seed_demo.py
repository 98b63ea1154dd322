from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import demo_totp_instructions
from pingid_portal.demo import DEMO_ADMINISTRATORS, seed_demo


class Command(BaseCommand):
    help = "Create the demo organization with its administrators and data. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        organization = seed_demo()
        self.stdout.write(
            f"Demo organization: {organization.name} (org alias {organization.org_alias})"
        )
        self.stdout.write(f"Sign in at {settings.PORTAL_BASE_URL}/ with one of:")
        for admin in DEMO_ADMINISTRATORS:
            self.stdout.write(
                f"  {admin.role:<13} {admin.email:<24} password {admin.password}"
            )
        for line in demo_totp_instructions():
            self.stdout.write(line)
