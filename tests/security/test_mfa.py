from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.authentication import TOKEN_PREFIX
from accounts.mfa import (
    administrator_mfa_reset,
    mfa_recovery_codes_regenerate,
    recovery_code_stored,
)
from accounts.mfa_codes import totp_code, totp_current_step
from accounts.models import AdministratorSession, AdministratorTOTPDevice, Membership
from accounts.services import api_token_create
from activity.models import ActivityEvent
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from tests.conftest import mfa_device_for
from tests.security.helpers import (
    ENROLL_URL,
    MFA_URL,
    next_code,
    password_step,
)

pytestmark = pytest.mark.django_db


def test_password_alone_opens_no_portal_page(global_admin: Membership) -> None:
    mfa_device_for(global_admin)
    client = Client()

    response = password_step(client, global_admin.user.email)
    dashboard = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(MFA_URL)
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith(MFA_URL)


def test_totp_code_completes_sign_in(global_admin: Membership) -> None:
    device = mfa_device_for(global_admin)
    client = Client()
    password_step(client, global_admin.user.email)
    key_after_password = client.session.session_key

    response = client.post(MFA_URL, {"code": next_code(device), "next": "/users/"})

    assert response.status_code == 302
    assert response["Location"] == "/users/"
    assert client.get("/").status_code == 200
    assert client.session.session_key != key_after_password
    assert AdministratorSession.objects.filter(
        session_key=client.session.session_key, user=global_admin.user
    ).exists()
    assert ActivityEvent.objects.filter(
        action="administrator.mfa_verify", outcome="success"
    ).exists()


def test_mfa_step_rejects_offsite_next(global_admin: Membership) -> None:
    device = mfa_device_for(global_admin)
    client = Client()
    password_step(client, global_admin.user.email)

    response = client.post(
        MFA_URL, {"code": next_code(device), "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_totp_code_is_accepted_once(global_admin: Membership) -> None:
    device = mfa_device_for(global_admin)
    code = totp_code(device.key)
    first, second = Client(), Client()
    password_step(first, global_admin.user.email)
    password_step(second, global_admin.user.email)

    accepted = first.post(MFA_URL, {"code": code})
    replayed = second.post(MFA_URL, {"code": code})

    assert accepted.status_code == 302
    assert replayed.status_code == 200
    assert "already used" in replayed.content.decode()
    assert second.get("/").status_code == 302


def test_totp_accepts_one_step_of_clock_drift(global_admin: Membership) -> None:
    device = mfa_device_for(global_admin)
    with time_machine.travel("2026-03-01 10:00:00", tick=False):
        late_code = totp_code(device.key, totp_current_step() - 1)
        too_late = totp_code(device.key, totp_current_step() - 2)

        assert device.verify_token(too_late) is False
        assert device.verify_token(late_code) is True


def test_enrollment_on_first_sign_in(help_desk: Membership) -> None:
    client = Client()

    response = password_step(client, help_desk.user.email)
    response = client.get(response["Location"], follow=True)
    device = AdministratorTOTPDevice.objects.get(user=help_desk.user)
    page = response.content.decode()

    assert response.redirect_chain[-1][0].startswith(ENROLL_URL)
    assert "<svg" in page
    assert device.confirmed is False
    assert " ".join(device.key[i : i + 4] for i in range(0, 32, 4)) in page
    assert response["Cache-Control"] == "no-store"
    assert client.get("/").status_code == 302


def test_enrollment_rejects_wrong_code(help_desk: Membership) -> None:
    client = Client()
    password_step(client, help_desk.user.email)
    client.get(ENROLL_URL)

    response = client.post(ENROLL_URL, {"code": "000000"})

    assert response.status_code == 200
    assert "Code is invalid" in response.content.decode()
    assert not AdministratorTOTPDevice.objects.filter(confirmed=True).exists()
    assert ActivityEvent.objects.filter(
        action="administrator.mfa_verify", outcome="failure"
    ).exists()


def test_enrollment_confirms_and_shows_recovery_codes(help_desk: Membership) -> None:
    client = Client()
    password_step(client, help_desk.user.email)
    client.get(ENROLL_URL)
    device = AdministratorTOTPDevice.objects.get(user=help_desk.user)

    response = client.post(ENROLL_URL, {"code": totp_code(device.key)})
    device.refresh_from_db()
    codes = list(
        StaticToken.objects.filter(device__user=help_desk.user).values_list(
            "token", flat=True
        )
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert device.confirmed is True
    assert len(codes) == 10
    assert len(set(codes)) == 10
    page = response.content.decode()
    shown = re.findall(r"\b[0-9a-f]{5}-[0-9a-f]{5}\b", page)
    assert len(set(shown)) == 10
    # Stored as keyed hashes: the table contains none of the codes shown.
    assert sorted(recovery_code_stored(code) for code in set(shown)) == sorted(codes)
    assert not set(shown) & set(codes)
    assert client.get("/").status_code == 200
    assert ActivityEvent.objects.filter(action="administrator.mfa_enroll").exists()


def test_enrolled_administrator_cannot_enroll_again(global_admin: Membership) -> None:
    mfa_device_for(global_admin)
    client = Client()
    password_step(client, global_admin.user.email)

    response = client.get(ENROLL_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(MFA_URL)
    assert AdministratorTOTPDevice.objects.filter(user=global_admin.user).count() == 1


def _recovery_codes(membership: Membership) -> list[str]:
    return mfa_recovery_codes_regenerate(actor=Actor.for_membership(membership))


def test_recovery_code_signs_in_once(global_admin: Membership) -> None:
    mfa_device_for(global_admin)
    code = _recovery_codes(global_admin)[0]
    first, second = Client(), Client()
    password_step(first, global_admin.user.email)
    password_step(second, global_admin.user.email)

    accepted = first.post(MFA_URL, {"code": code.upper().replace("-", "")})
    reused = second.post(MFA_URL, {"code": code})

    assert accepted.status_code == 302
    assert first.get("/").status_code == 200
    assert reused.status_code == 200
    assert StaticToken.objects.filter(device__user=global_admin.user).count() == 9
    assert ActivityEvent.objects.filter(
        action="administrator.mfa_verify", message="Signed in with a recovery code."
    ).exists()


def test_regenerated_codes_replace_old_ones(global_admin: Membership) -> None:
    mfa_device_for(global_admin)
    old = _recovery_codes(global_admin)
    new = _recovery_codes(global_admin)
    client = Client()
    password_step(client, global_admin.user.email)

    rejected = client.post(MFA_URL, {"code": old[0]})
    accepted = client.post(MFA_URL, {"code": new[0]})

    assert set(old).isdisjoint(new)
    assert rejected.status_code == 200
    assert accepted.status_code == 302


def test_regenerate_page_shows_codes_without_caching(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    client = client_for(global_admin)

    response = client.post("/accounts/security/me/recovery-codes/")
    tokens = StaticToken.objects.filter(device__user=global_admin.user)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert tokens.count() == 10
    shown = re.findall(r"\b[0-9a-f]{5}-[0-9a-f]{5}\b", response.content.decode())
    assert len(set(shown)) == 10
    assert {recovery_code_stored(code) for code in shown} == {
        token.token for token in tokens
    }


def test_global_admin_resets_mfa(
    global_admin: Membership,
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    target_client = client_for(help_desk)
    _recovery_codes(help_desk)
    client = client_for(global_admin)

    response = client.post(
        f"/accounts/security/administrators/{help_desk.pk}/reset-mfa/",
        {"reason": "lost phone"},
    )

    assert response.status_code == 302
    assert not AdministratorTOTPDevice.objects.filter(user=help_desk.user).exists()
    assert not StaticDevice.objects.filter(user=help_desk.user).exists()
    assert target_client.get("/").status_code == 302
    event = ActivityEvent.objects.get(action="administrator.mfa_reset")
    assert event.reason == "lost phone"
    assert event.target_id == str(help_desk.pk)


def test_help_desk_cannot_reset_mfa(
    global_admin: Membership,
    help_desk: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    device = mfa_device_for(global_admin)

    response = client_for(help_desk).post(
        f"/accounts/security/administrators/{global_admin.pk}/reset-mfa/"
    )

    assert response.status_code == 403
    assert AdministratorTOTPDevice.objects.filter(pk=device.pk).exists()


def test_outsider_cannot_reset_mfa(
    help_desk: Membership,
    outsider: Membership,
    client_for: Callable[[Membership], Client],
) -> None:
    device = mfa_device_for(help_desk)

    response = client_for(outsider).post(
        f"/accounts/security/administrators/{help_desk.pk}/reset-mfa/"
    )

    assert response.status_code == 404
    assert AdministratorTOTPDevice.objects.filter(pk=device.pk).exists()


def test_own_mfa_reset_is_rejected(global_admin: Membership) -> None:
    mfa_device_for(global_admin)

    with pytest.raises(ServiceError, match="your own MFA"):
        administrator_mfa_reset(
            actor=Actor.for_membership(global_admin), membership=global_admin
        )

    assert AdministratorTOTPDevice.objects.filter(user=global_admin.user).exists()


def test_api_token_needs_no_mfa(global_admin: Membership) -> None:
    _, token = api_token_create(actor=Actor.for_membership(global_admin), name="ci")
    client = Client()

    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    forged = client.get(
        "/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {TOKEN_PREFIX}forged"
    )

    assert not AdministratorTOTPDevice.objects.filter(user=global_admin.user).exists()
    assert response.status_code == 200
    assert forged.status_code == 401


def test_api_rejects_password_only_session(global_admin: Membership) -> None:
    mfa_device_for(global_admin)
    client = Client()
    password_step(client, global_admin.user.email)

    # The schema and docs are the API pages that accept a portal session.
    response = client.get("/api/v1/schema/")

    assert response.status_code == 403
    assert "two-step verification" in response.json()["message"]


def test_api_accepts_verified_session(
    global_admin: Membership, client_for: Callable[[Membership], Client]
) -> None:
    response = client_for(global_admin).get("/api/v1/schema/")

    assert response.status_code == 200


def test_totp_seed_is_encrypted_at_rest(global_admin: Membership) -> None:
    from django.db import connection

    device = mfa_device_for(global_admin)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key FROM accounts_administratortotpdevice WHERE id = %s",
            [device.pk],
        )
        stored = cursor.fetchone()[0]

    assert device.key not in stored
    assert stored.startswith("gAAAA")


def test_migration_hashes_plain_codes(global_admin: Membership) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("accounts.migrations.0003_hash_recovery_codes")
    device = StaticDevice.objects.create(user=global_admin.user, name="Recovery codes")
    StaticToken.objects.create(device=device, token="abcde-01234")

    migration.hash_plain_codes(apps, None)

    stored = StaticToken.objects.get(device=device).token
    assert stored == recovery_code_stored("abcde-01234")
    assert device.verify_token(recovery_code_stored("abcde-01234"))
