from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organization
from activity.models import ActivityEvent
from integrations.models import SettingsFile
from tests.integrations.pingid_client import read_with_jproperties

pytestmark = pytest.mark.django_db


def test_generate_settings_file_writes_file(
    organization: Organization, tmp_path: Path
) -> None:
    output = tmp_path / "pingid.properties"

    call_command(
        "generate_settings_file",
        "--organization",
        str(organization.org_alias),
        "--kind",
        "auth_only",
        "--output",
        str(output),
    )

    values = read_with_jproperties(output.read_text())
    settings_file = SettingsFile.objects.get(token=values["token"])
    assert settings_file.kind == "auth_only"
    assert values["use_base64_key"] == settings_file.signing_key
    assert output.stat().st_mode & 0o777 == 0o600
    assert set(
        ActivityEvent.objects.filter(actor_kind="system").values_list(
            "action", flat=True
        )
    ) == {"settings_file.generate", "settings_file.download"}


def test_generate_refuses_existing_output(
    organization: Organization, tmp_path: Path
) -> None:
    output = tmp_path / "pingid.properties"
    output.write_text("keep me")

    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "generate_settings_file",
            "--organization",
            str(organization.org_alias),
            "--kind",
            "full",
            "--output",
            str(output),
        )

    assert output.read_text() == "keep me"
    assert not SettingsFile.objects.exists()


def test_unknown_organization_named(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="No organization has org alias"):
        call_command(
            "generate_settings_file",
            "--organization",
            "5f0c3a52-1d7e-4c55-9a8e-2b6f1c9d4e10",
            "--kind",
            "full",
            "--output",
            str(tmp_path / "x"),
        )


def test_third_party_clients_command(organization: Organization) -> None:
    alias = str(organization.org_alias)

    with pytest.raises(CommandError, match="Reason is missing"):
        call_command("third_party_clients", "--organization", alias, "off")
    call_command(
        "third_party_clients", "--organization", alias, "off", "--reason", "Incident 7"
    )
    organization.refresh_from_db()
    off = organization.third_party_clients_enabled
    call_command("third_party_clients", "--organization", alias, "on")
    organization.refresh_from_db()

    assert off is False
    assert organization.third_party_clients_enabled is True
    actions = list(
        ActivityEvent.objects.filter(
            action__startswith="third_party_clients"
        ).values_list("action", flat=True)
    )
    assert sorted(actions) == [
        "third_party_clients.disable",
        "third_party_clients.enable",
    ]
