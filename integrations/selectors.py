"""Read queries of the Integrations page, scoped to one organization."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from integrations.models import SettingsFile, ThirdPartyClientsSwitch

if TYPE_CHECKING:
    from accounts.models import Organization


def settings_file_list(organization: Organization) -> QuerySet[SettingsFile]:
    """Return the organization's settings files, active ones first, newest first."""
    return (
        SettingsFile.objects.for_organization(organization)
        .defer("signing_key")
        .order_by("revoked_at", "-created_at", "-id")
    )


def third_party_clients_switch(
    organization: Organization,
) -> ThirdPartyClientsSwitch | None:
    return ThirdPartyClientsSwitch.objects.filter(organization=organization).first()
