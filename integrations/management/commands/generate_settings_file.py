"""Generate a PingID settings file and write its `pingid.properties`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.commands import organization_by_alias
from integrations.models import SettingsFileKind
from integrations.services import settings_file_download, settings_file_generate
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Generate a settings file for an organization and write pingid.properties "
        "to FILE (readable by its owner only). Audited like a portal generation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organization",
            required=True,
            help="Org alias (UUID) of the organization.",
        )
        parser.add_argument(
            "--kind", required=True, choices=SettingsFileKind.values, help="File kind."
        )
        parser.add_argument(
            "--output", required=True, help="Path of the pingid.properties to write."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_by_alias(options["organization"])
        output = Path(options["output"])
        if output.exists():
            raise CommandError(
                f"{output} already exists: choose another --output or remove the file."
            )
        if not output.parent.is_dir():
            raise CommandError(f"Directory {output.parent} does not exist.")

        actor = Actor.system(organization, "generate_settings_file command")
        try:
            settings_file = settings_file_generate(actor=actor, kind=options["kind"])
            text = settings_file_download(actor=actor, settings_file=settings_file)
        except ServiceError as error:
            raise CommandError(error.message) from error

        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        self.stdout.write(f"Wrote settings file {settings_file.token} to {output}")
