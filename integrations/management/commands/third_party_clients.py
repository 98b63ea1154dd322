"""Switch PingID authentication for third-party clients on or off."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.commands import organization_by_alias
from integrations.services import third_party_clients_set
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Switch PingID authentication for third-party clients on or off. While off, "
        "every PingID API call of the organization is rejected. Audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organization",
            required=True,
            help="Org alias (UUID) of the organization.",
        )
        parser.add_argument("state", choices=["on", "off"])
        parser.add_argument(
            "--reason",
            default="",
            help="Why the switch changes; required for off, shown on the Integrations page.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_by_alias(options["organization"])
        enabled = options["state"] == "on"
        reason = options["reason"]
        actor = Actor.system(organization, "third_party_clients command")
        try:
            third_party_clients_set(actor=actor, enabled=enabled, reason=reason)
        except ServiceError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Third-party clients of {organization.name} are now {options['state']}."
        )
