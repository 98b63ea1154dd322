import sys
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organization
from accounts.services import administrator_create
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from pingid_portal.permissions import Role


class Command(BaseCommand):
    help = (
        "Add an administrator to an organization. The password is read from "
        "standard input with --password-stdin, else generated and printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organization",
            required=True,
            metavar="ALIAS",
            help="Org alias (UUID) that create_organization printed.",
        )
        parser.add_argument("--email", required=True, help="Sign-in e-mail address.")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--time-zone", default="UTC", help="IANA time zone (default: UTC)."
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = _organization_get(options["organization"])
        password = _password_read() if options["password_stdin"] else None
        try:
            membership, generated = administrator_create(
                actor=Actor.system(organization, "operator command"),
                email=options["email"],
                role=options["role"],
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
                time_zone=options["time_zone"],
            )
        except ServiceError as error:
            option = f"--{error.field.replace('_', '-')}: " if error.field else ""
            raise CommandError(f"{option}{error.message}") from error

        self.stdout.write(
            f"Created {membership.get_role_display().lower()} {membership.user.email} "
            f"in {organization.name}."
        )
        if generated:
            self.stdout.write(f"Password (shown once): {generated}")


def _organization_get(alias: str) -> Organization:
    try:
        org_alias = uuid.UUID(alias)
    except ValueError as error:
        raise CommandError(
            f"--organization: {alias!r} is not an org alias: give the UUID that "
            "create_organization printed."
        ) from error
    try:
        return Organization.objects.get(org_alias=org_alias)
    except Organization.DoesNotExist as error:
        raise CommandError(
            f"--organization: no organization has the alias {org_alias}."
        ) from error


def _password_read() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CommandError(
            "--password-stdin: standard input is empty: pipe the password in, "
            "or leave out --password-stdin to have one generated."
        )
    return password
