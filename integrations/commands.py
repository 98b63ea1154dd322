"""Helpers shared by the integrations management commands."""

from __future__ import annotations

import uuid

from django.core.management.base import CommandError

from accounts.models import Organization


def organization_by_alias(alias: str) -> Organization:
    """Return the organization with org alias `alias`, or raise a `CommandError`."""
    try:
        org_alias = uuid.UUID(alias)
    except ValueError as error:
        raise CommandError(
            f"Invalid --organization {alias!r}: give the org alias, a UUID."
        ) from error
    try:
        return Organization.objects.get(org_alias=org_alias)
    except Organization.DoesNotExist as error:
        raise CommandError(
            f"No organization has org alias {alias}: check the value, or run "
            "create_organization first."
        ) from error
