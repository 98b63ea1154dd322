from __future__ import annotations

import base64
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test import Client

from accounts.mfa_codes import totp_code
from accounts.models import AdministratorTOTPDevice, Membership
from devices.models import DeviceType
from devices.services.otp import OtpOutcome, otp_verify
from integrations.models import SettingsFile, SettingsFileKind
from integrations.services import settings_file_generate
from pingid_portal import crypto
from pingid_portal.actors import Actor
from tests.conftest import mfa_device_for
from tests.factories import DeviceFactory, PingIDUserFactory
from tests.security.test_pingid_fuzz import _request_body, _signed

pytestmark = pytest.mark.django_db

OLD_KEY = "old-secrets-key-for-tests"
NEW_KEY = "new-secrets-key-for-tests"
PINGID_SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _stored(model: type[models.Model], field: str, pk: Any) -> str:
    column = model._meta.get_field(field).column  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s",
            [pk],
        )
        return str(cursor.fetchone()[0])


def _every_stored_secret() -> list[tuple[type[models.Model], str, Any, str]]:
    found = []
    for model, field in crypto.encrypted_fields():
        for pk in model._base_manager.exclude(**{field: ""}).values_list(
            "pk", flat=True
        ):
            found.append((model, field, pk, _stored(model, field, pk)))
    return found


@pytest.fixture
def secrets_under_old_key(
    settings: Any, global_admin: Membership
) -> tuple[AdministratorTOTPDevice, Any]:
    settings.SECRETS_ENCRYPTION_KEYS = [OLD_KEY]
    admin_device = mfa_device_for(global_admin)
    pingid_user = PingIDUserFactory(
        organization=global_admin.organization, username="alice"
    )
    pingid_device = DeviceFactory(
        user=pingid_user, type=DeviceType.AUTHENTICATOR_APP, totp_secret=PINGID_SEED
    )
    settings_file_generate(
        actor=Actor.for_membership(global_admin), kind=SettingsFileKind.FULL
    )
    return admin_device, pingid_device


def _signed_call(settings_file: SettingsFile) -> int:
    """Call GetUserDetails signed with the settings file's key; return errorId."""
    alias = str(settings_file.organization.org_alias)
    key = base64.b64decode(settings_file.signing_key)
    header = {"alg": "HS256", "org_alias": alias, "token": settings_file.token}
    jws = _signed(header, _request_body(settings_file, {"userName": "alice"}), key)
    response = Client().post(
        "/pingid/rest/4/getuserdetails/do", data=jws, content_type="application/json"
    )
    payload = response.content.decode().split(".")[1]
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return int(body["responseBody"]["errorId"])


def test_rotation_keeps_every_secret_working(
    settings: Any, secrets_under_old_key: tuple[AdministratorTOTPDevice, Any]
) -> None:
    admin_device, pingid_device = secrets_under_old_key
    before = _every_stored_secret()
    settings.SECRETS_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    output = StringIO()

    call_command("rotate_secrets_key", "--batch-size", "1", stdout=output)
    settings.SECRETS_ENCRYPTION_KEYS = [NEW_KEY]
    after = _every_stored_secret()

    assert len(before) >= 3
    assert len(after) == len(before)
    for (_, _, _, old_value), (model, field, pk, new_value) in zip(
        before, after, strict=True
    ):
        assert new_value != old_value, f"{model.__name__}.{field} {pk} not rotated"
        crypto.decrypt(new_value)
    assert (
        "accounts.AdministratorTOTPDevice.key: 1 values re-encrypted"
        in output.getvalue()
    )
    assert f"Done: {len(before)} values re-encrypted." in output.getvalue()

    admin_device = AdministratorTOTPDevice.objects.get(pk=admin_device.pk)
    assert admin_device.verify_token(totp_code(admin_device.key)) is True
    result = otp_verify(
        actor=Actor.system(pingid_device.organization),
        user=pingid_device.user,
        otp=totp_code(PINGID_SEED),
    )
    assert result.outcome == OtpOutcome.ACCEPTED
    for settings_file in SettingsFile.objects.all():
        assert _signed_call(settings_file) == 200


def test_rotation_runs_again_safely(
    settings: Any, secrets_under_old_key: tuple[AdministratorTOTPDevice, Any]
) -> None:
    settings.SECRETS_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_secrets_key", stdout=StringIO())
    call_command("rotate_secrets_key", stdout=StringIO())
    settings.SECRETS_ENCRYPTION_KEYS = [NEW_KEY]

    device = AdministratorTOTPDevice.objects.get(pk=secrets_under_old_key[0].pk)

    assert device.verify_token(totp_code(device.key)) is True


def test_rotation_without_old_key_fails_and_changes_nothing(
    settings: Any, secrets_under_old_key: tuple[AdministratorTOTPDevice, Any]
) -> None:
    before = _every_stored_secret()
    settings.SECRETS_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(CommandError, match="Add the old key back"):
        call_command("rotate_secrets_key", stdout=StringIO())

    assert _every_stored_secret() == before


def test_old_key_alone_cannot_read_rotated_secrets(
    settings: Any, secrets_under_old_key: tuple[AdministratorTOTPDevice, Any]
) -> None:
    settings.SECRETS_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_secrets_key", stdout=StringIO())
    settings.SECRETS_ENCRYPTION_KEYS = [OLD_KEY]

    with pytest.raises(ValueError, match="lacks the key"):
        AdministratorTOTPDevice.objects.get(pk=secrets_under_old_key[0].pk)
