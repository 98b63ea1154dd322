from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import TIME_ZONE_CHOICES
from accounts.services import organization_create
from pingid_portal.errors import ServiceError


class Command(BaseCommand):
    help = "Create an organization and print its org alias."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Display name of the organization.")
        parser.add_argument(
            "--time-zone",
            default="UTC",
            choices=[name for name, _ in TIME_ZONE_CHOICES],
            metavar="ZONE",
            help="IANA time zone for day boundaries in reports (default: UTC).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organization = organization_create(
                name=options["name"], time_zone=options["time_zone"]
            )
        except ServiceError as error:
            raise CommandError(error.message) from error
        self.stdout.write(str(organization.org_alias))
