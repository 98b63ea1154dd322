"""Every rejected PingID call gets its own errorId and changes nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Membership
from integrations.models import SettingsFile
from integrations.services import settings_file_revoke, third_party_clients_set
from pingid_portal.actors import Actor
from tests.integrations.conftest import Integration
from tests.integrations.pingid_client import pingid_timestamp
from users.models import PingIDUser

pytestmark = pytest.mark.django_db

ADD_ALICE = {"userName": "alice", "fName": "Alice", "lName": "Liddell"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(integration: Integration) -> str:
    header = {
        "alg": "none",
        "org_alias": integration.client.org_alias,
        "token": integration.client.token,
    }
    payload = {"reqHeader": {"timestamp": pingid_timestamp()}, "reqBody": ADD_ALICE}
    return f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload).encode())}."


def _hs512(integration: Integration) -> str:
    client = integration.client
    header = {"alg": "HS512", "org_alias": client.org_alias, "token": client.token}
    payload = {
        "reqHeader": {"timestamp": pingid_timestamp(), "secretKey": client.token},
        "reqBody": ADD_ALICE,
    }
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload).encode())}"
    signature = hmac.new(client.key, signing_input.encode(), hashlib.sha512).digest()
    return f"{signing_input}.{_b64url(signature)}"


def _assert_nothing_changed(integration: Integration, calls_before: int) -> None:
    assert not PingIDUser.objects.filter(username="alice").exists()
    settings_file = SettingsFile.objects.get(pk=integration.settings_file.pk)
    assert settings_file.call_count == calls_before


def test_accepted_call_creates_user_and_counts(integration: Integration) -> None:
    answer = integration.call("adduser", ADD_ALICE)

    assert answer.status == 200
    assert answer.error_id == 200
    assert PingIDUser.objects.filter(username="alice").exists()
    settings_file = SettingsFile.objects.get(pk=integration.settings_file.pk)
    assert settings_file.call_count == 1
    assert settings_file.last_used_at is not None


def test_alg_none_rejected(integration: Integration) -> None:
    answer = integration.post("adduser", _unsigned(integration))

    assert answer.status == 401
    assert answer.error_id == 90002
    _assert_nothing_changed(integration, 0)


def test_other_algorithm_rejected(integration: Integration) -> None:
    answer = integration.post("adduser", _hs512(integration))

    assert answer.status == 401
    assert answer.error_id == 90003
    _assert_nothing_changed(integration, 0)


def test_wrong_key_rejected(integration: Integration) -> None:
    answer = integration.call("adduser", ADD_ALICE, key=b"k" * 32)

    assert answer.status == 401
    assert answer.error_id == 90005
    _assert_nothing_changed(integration, 0)


def test_token_of_other_organization_rejected(
    integration: Integration,
    outsider: Membership,
    integration_for: Callable[..., Integration],
) -> None:
    foreign = integration_for(outsider)
    header = {
        "alg": "HS256",
        "org_alias": integration.client.org_alias,
        "token": foreign.client.token,
    }

    answer = integration.post(
        "adduser", foreign.client.sign(ADD_ALICE, header=header), verify=False
    )

    assert answer.status == 401
    assert answer.error_id == 90004
    _assert_nothing_changed(integration, 0)
    assert SettingsFile.objects.get(pk=foreign.settings_file.pk).call_count == 0


@pytest.mark.parametrize("minutes", [-6, 6])
def test_stale_timestamp_rejected(integration: Integration, minutes: int) -> None:
    stale = pingid_timestamp(datetime.now(UTC) + timedelta(minutes=minutes))

    answer = integration.call("adduser", ADD_ALICE, timestamp=stale)

    assert answer.status == 401
    assert answer.error_id == 90011
    _assert_nothing_changed(integration, 0)


def test_replayed_request_rejected(integration: Integration) -> None:
    jws = integration.client.sign({"userName": "nobody"})
    first = integration.post("getuserdetails", jws)

    answer = integration.post("getuserdetails", jws)

    assert first.error_id == 10564
    assert answer.status == 401
    assert answer.error_id == 90012
    _assert_nothing_changed(integration, 1)


def test_revoked_file_rejected(
    integration: Integration, global_admin: Membership
) -> None:
    settings_file_revoke(
        actor=Actor.for_membership(global_admin),
        settings_file=integration.settings_file,
    )

    answer = integration.call("adduser", ADD_ALICE)

    assert answer.status == 401
    assert answer.error_id == 90020
    _assert_nothing_changed(integration, 0)


def test_switch_off_rejects_calls(
    integration: Integration, global_admin: Membership
) -> None:
    third_party_clients_set(
        actor=Actor.for_membership(global_admin), enabled=False, reason="Audit"
    )

    answer = integration.call("adduser", ADD_ALICE)

    assert answer.status == 403
    assert answer.error_id == 90021
    assert "switched off" in answer.body["errorMsg"]
    _assert_nothing_changed(integration, 0)


def test_auth_only_file_cannot_add_user(auth_only_integration: Integration) -> None:
    answer = auth_only_integration.call("adduser", ADD_ALICE)

    assert answer.status == 403
    assert answer.error_id == 90022
    _assert_nothing_changed(auth_only_integration, 0)


def test_unknown_operation_rejected(integration: Integration) -> None:
    answer = integration.call("launchmissiles", ADD_ALICE)

    assert answer.status == 404
    assert answer.error_id == 90023
    _assert_nothing_changed(integration, 0)


def test_malformed_body_rejected(integration: Integration) -> None:
    answer = integration.post("adduser", "not a jws", verify=False)

    assert answer.status == 400
    assert answer.error_id == 90001
    _assert_nothing_changed(integration, 0)


def test_secret_key_mismatch_rejected(integration: Integration) -> None:
    request_header = {"timestamp": pingid_timestamp(), "secretKey": "someone-else"}

    answer = integration.call("adduser", ADD_ALICE, request_header=request_header)

    assert answer.error_id == 90006
    _assert_nothing_changed(integration, 0)


def test_rate_limit_per_file(integration: Integration, settings: object) -> None:
    settings.PINGID_RATE_LIMIT_PER_FILE_PER_MINUTE = 2  # type: ignore[attr-defined]
    for _ in range(2):
        assert integration.call("getuserdetails", {"userName": "x"}).error_id == 10564

    answer = integration.call("adduser", ADD_ALICE)

    assert answer.status == 429
    assert answer.error_id == 90030
    _assert_nothing_changed(integration, 2)


def test_rejection_ids_are_distinct() -> None:
    from integrations.pingid.errors import ErrorId

    values = [value for name, value in vars(ErrorId).items() if name.isupper()]
    assert len(values) == len(set(values))


def test_replay_to_another_operation_rejected(integration: Integration) -> None:
    PingIDUser.objects.create(
        organization=integration.settings_file.organization, username="keep"
    )
    jws = integration.client.sign({"userName": "keep"})
    integration.post("getuserdetails", jws)

    answer = integration.post("deleteuser", jws)

    assert answer.error_id == 90012
    assert PingIDUser.objects.filter(username="keep").exists()


@pytest.mark.parametrize(
    ("timestamp", "message_start"),
    [
        (None, "reqHeader.timestamp is missing"),
        (1764870000000, "Invalid reqHeader.timestamp 1764870000000"),
        ("yesterday", "Invalid reqHeader.timestamp 'yesterday'"),
    ],
)
def test_bad_timestamp_named_in_message(
    integration: Integration, timestamp: object, message_start: str
) -> None:
    client = integration.client
    request_header = {"orgAlias": client.org_alias, "secretKey": client.token}
    if timestamp is not None:
        request_header["timestamp"] = timestamp

    answer = integration.call("adduser", ADD_ALICE, request_header=request_header)

    assert answer.status == 400
    assert answer.error_id == 90010
    assert answer.body["errorMsg"].startswith(message_start)
    _assert_nothing_changed(integration, 0)
