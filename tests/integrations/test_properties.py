from __future__ import annotations

import base64

import pytest
import time_machine
from django.test import override_settings

from accounts.models import Membership
from activity.models import ActivityEvent
from integrations.properties import PROPERTY_KEYS, signing_key_generate
from integrations.services import settings_file_download, settings_file_generate
from pingid_portal.actors import Actor
from tests.integrations.pingid_client import read_by_splitting, read_with_jproperties


def test_generated_keys_read_alike_by_every_reader() -> None:
    for _ in range(2000):
        key = signing_key_generate()
        line = "use_base64_key=" + key.replace("=", "\\=")
        by_parser = read_with_jproperties(line + "\n")["use_base64_key"]
        by_splitting = read_by_splitting(line)["use_base64_key"]
        decoded = {
            base64.b64decode(by_parser),
            base64.urlsafe_b64decode(by_parser),
            base64.b64decode(by_splitting),
            base64.urlsafe_b64decode(by_splitting),
        }
        assert len(decoded) == 1
        assert len(decoded.pop()) == 32
        assert key.endswith("=")


@pytest.mark.django_db
@override_settings(PORTAL_BASE_URL="https://mfa.example.com")
@time_machine.travel("2026-03-01 09:30:00+00:00", tick=False)
def test_download_writes_header_and_seven_keys(global_admin: Membership) -> None:
    actor = Actor.for_membership(global_admin)
    settings_file = settings_file_generate(actor=actor, kind="full")

    text = settings_file_download(actor=actor, settings_file=settings_file)

    lines = text.splitlines()
    comments = [line for line in lines if line.startswith("#")]
    keys = [line.split("=", 1)[0] for line in lines if not line.startswith("#")]
    assert lines[0].startswith("#")
    assert any(global_admin.user.email in line for line in comments)
    assert any("2026-03-01 09:30:00 UTC" in line for line in comments)
    assert keys == list(PROPERTY_KEYS)
    assert "idp_url=https://mfa.example.com/pingid\n" in text
    assert "admin_url=https://mfa.example.com\n" in text
    assert "authenticator_url=https://mfa.example.com/pingid/auth\n" in text
    assert "use_signature=true\n" in text
    assert "\\:" not in text
    assert f"org_alias={global_admin.organization.org_alias}\n" in text
    assert f"token={settings_file.token}\n" in text


@pytest.mark.django_db
def test_both_readers_get_the_stored_key(global_admin: Membership) -> None:
    actor = Actor.for_membership(global_admin)
    settings_file = settings_file_generate(actor=actor, kind="auth_only")
    text = settings_file_download(actor=actor, settings_file=settings_file)

    by_parser = read_with_jproperties(text)
    by_splitting = read_by_splitting(text)

    assert by_parser == by_splitting
    assert by_parser["use_base64_key"] == settings_file.signing_key
    assert "\\=" in text


@pytest.mark.django_db
def test_download_is_audited(global_admin: Membership) -> None:
    actor = Actor.for_membership(global_admin)
    settings_file = settings_file_generate(actor=actor, kind="full")

    settings_file_download(actor=actor, settings_file=settings_file)

    actions = list(
        ActivityEvent.objects.filter(target_id=str(settings_file.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["settings_file.generate", "settings_file.download"]
