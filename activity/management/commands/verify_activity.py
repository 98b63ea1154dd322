"""`manage.py verify_activity`: recompute the activity hash chains."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organization
from activity.chain import chain_keys, chain_verify


class Command(BaseCommand):
    help = (
        "Verify the activity hash chain of every organization, or of one. "
        "Exits with status 1 and names the first event that breaks a chain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organization",
            metavar="ALIAS",
            help="Organization alias (UUID) whose chain to verify; default: all.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization_id = None
        alias = options["organization"]
        if alias:
            try:
                organization_id = Organization.objects.get(
                    org_alias=uuid.UUID(alias)
                ).pk
            except (ValueError, Organization.DoesNotExist) as error:
                raise CommandError(
                    f"No organization has the alias {alias!r}: pass the org_alias UUID."
                ) from error
        broken = 0
        for chain_organization_id in chain_keys(organization_id):
            report = chain_verify(chain_organization_id)
            if report.intact:
                self.stdout.write(
                    f"{report.chain_key}: intact, {report.events_checked} events"
                )
                continue
            broken += 1
            event = (
                f"event {report.broken_event_id}" if report.broken_event_id else "head"
            )
            self.stdout.write(
                f"{report.chain_key}: BROKEN at sequence {report.broken_sequence} "
                f"({event}): {report.problem}"
            )
        if broken:
            raise CommandError(f"{broken} activity chain(s) are broken.")
