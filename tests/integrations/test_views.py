"""The Integrations page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organization
from activity.models import ActivityEvent
from integrations.models import SettingsFile
from integrations.services import settings_file_generate, settings_file_record_use
from pingid_portal.actors import Actor
from tests.integrations.pingid_client import read_by_splitting

pytestmark = pytest.mark.django_db

LIST_URL = reverse("integrations:settings_file_list")


def _generate(membership: Membership, kind: str = "full") -> SettingsFile:
    return settings_file_generate(actor=Actor.for_membership(membership), kind=kind)


def test_list_query_count(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    django_assert_num_queries: Any,
) -> None:
    for kind in ("full", "full", "auth_only"):
        _generate(global_admin, kind)
    client = client_for(global_admin)
    client.get(LIST_URL)

    # Session, user, administrator MFA device, membership, settings files,
    # third-party clients switch, availability banner.
    with django_assert_num_queries(7):
        response = client.get(LIST_URL)

    assert response.status_code == 200
    assert response.content.count(b'class="mono"') == 3


def test_list_shows_usage(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    settings_file = _generate(global_admin)
    settings_file_record_use(settings_file=settings_file)

    response = client_for(global_admin).get(LIST_URL)

    text = response.content.decode()
    assert settings_file.token in text
    assert "Authentication only" in text or "Full" in text
    assert global_admin.user.email in text
    assert "Never" not in text


def test_generate_past_limit_explains_fix(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    for _ in range(5):
        _generate(global_admin)

    response = client_for(global_admin).post(
        reverse("integrations:settings_file_generate"), {"kind": "full"}
    )

    assert response.status_code == 400
    assert "5 active full settings files" in response.content.decode()
    assert "Revoke one" in response.content.decode()
    assert SettingsFile.objects.count() == 5


def test_revoked_files_do_not_count_to_limit(global_admin: Membership) -> None:
    from integrations.services import settings_file_revoke

    actor = Actor.for_membership(global_admin)
    files = [_generate(global_admin) for _ in range(5)]
    settings_file_revoke(actor=actor, settings_file=files[0])

    assert _generate(global_admin).is_active
    assert _generate(global_admin, "auth_only").is_active


def test_download_is_not_cached(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    settings_file = _generate(global_admin)

    response = client_for(global_admin).post(
        reverse("integrations:settings_file_download", args=[settings_file.pk])
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "pingid.properties" in response["Content-Disposition"]
    values = read_by_splitting(response.content.decode())
    assert values["token"] == settings_file.token


def test_revoke_confirmation_shows_last_use(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    settings_file = _generate(global_admin)
    settings_file_record_use(settings_file=settings_file)
    settings_file.refresh_from_db()
    client = client_for(global_admin)
    url = reverse("integrations:settings_file_revoke", args=[settings_file.pk])

    confirmation = client.get(url)
    revoked = client.post(url, {"reason": "Replaced by the new VPN file"})

    assert (
        f"{settings_file.last_used_at:%Y-%m-%d %H:%M:%S}"
        in confirmation.content.decode()
    )
    assert revoked.status_code == 302
    settings_file.refresh_from_db()
    assert settings_file.revoked_at is not None
    event = ActivityEvent.objects.get(action="settings_file.revoke")
    assert event.reason == "Replaced by the new VPN file"


def test_switch_off_needs_reason(
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
    organization: Organization,
) -> None:
    client = client_for(global_admin)
    url = reverse("integrations:third_party_clients")

    missing = client.post(url, {"enabled": "off", "reason": ""})
    switched = client.post(url, {"enabled": "off", "reason": "Security review"})
    page = client.get(LIST_URL)

    organization.refresh_from_db()
    assert missing.status_code == 400
    assert "Reason is missing" in missing.content.decode()
    assert switched.status_code == 302
    assert organization.third_party_clients_enabled is False
    assert "Security review" in page.content.decode()
    assert "90021" in page.content.decode()
    assert (
        ActivityEvent.objects.filter(action="third_party_clients.disable").count() == 1
    )


def test_connection_test_round_trip(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    settings_file = _generate(global_admin)
    client = client_for(global_admin)
    url = reverse("integrations:settings_file_test", args=[settings_file.pk])

    response = client.post(url, HTTP_HX_REQUEST="true")

    assert "Connection works" in response.content.decode()
    settings_file.refresh_from_db()
    assert settings_file.call_count == 1


def test_connection_test_shows_switch_off(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    from integrations.services import third_party_clients_set

    settings_file = _generate(global_admin)
    third_party_clients_set(
        actor=Actor.for_membership(global_admin), enabled=False, reason="x"
    )

    response = client_for(global_admin).post(
        reverse("integrations:settings_file_test", args=[settings_file.pk]),
        HTTP_HX_REQUEST="true",
    )

    assert "Connection failed" in response.content.decode()
    assert "90021" in response.content.decode()


@pytest.mark.parametrize("persona", ["help_desk", "auditor"])
def test_only_global_admins_change_anything(
    persona: str,
    request: pytest.FixtureRequest,
    global_admin: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    settings_file = _generate(global_admin)
    client = client_for(request.getfixturevalue(persona))

    page = client.get(LIST_URL)
    posts = [
        client.post(reverse("integrations:settings_file_generate"), {"kind": "full"}),
        client.post(
            reverse("integrations:settings_file_download", args=[settings_file.pk])
        ),
        client.post(
            reverse("integrations:settings_file_revoke", args=[settings_file.pk])
        ),
        client.post(
            reverse("integrations:settings_file_test", args=[settings_file.pk])
        ),
        client.post(
            reverse("integrations:third_party_clients"),
            {"enabled": "off", "reason": "x"},
        ),
    ]

    assert page.status_code == 200
    assert "Generate settings file" not in page.content.decode()
    assert [response.status_code for response in posts] == [403] * 5
    assert SettingsFile.objects.count() == 1
    assert SettingsFile.objects.get().revoked_at is None


def test_other_organization_file_is_404(
    global_admin: Membership,
    outsider: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    settings_file = _generate(global_admin)

    response = client_for(outsider).post(
        reverse("integrations:settings_file_download", args=[settings_file.pk])
    )

    assert response.status_code == 404


def test_times_labelled_with_admin_zone(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    global_admin.time_zone = "Europe/Berlin"
    global_admin.save()
    settings_file = _generate(global_admin)
    settings_file_record_use(settings_file=settings_file)
    client = client_for(global_admin)
    revoke_url = reverse("integrations:settings_file_revoke", args=[settings_file.pk])

    for url in (LIST_URL, revoke_url):
        page = client.get(url).content.decode()
        local = timezone.localtime(settings_file.created_at, ZoneInfo("Europe/Berlin"))

        assert local.strftime("%Y-%m-%d %H:%M") + " CE" in page
        assert " UTC" not in page
