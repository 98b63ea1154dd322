"""Deeply nested JSON in a PingID call is a malformed request, not a crash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging

import pytest

from integrations.pingid.errors import ErrorId
from tests.integrations.conftest import Integration
from tests.integrations.pingid_client import pingid_timestamp
from users.models import PingIDUser

pytestmark = pytest.mark.django_db


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _header(integration: Integration) -> str:
    client = integration.client
    header = {"alg": "HS256", "org_alias": client.org_alias, "token": client.token}
    return _b64url(json.dumps(header).encode())


def _signed(integration: Integration, payload_text: str) -> str:
    signing_input = f"{_header(integration)}.{_b64url(payload_text.encode())}"
    signature = hmac.new(
        integration.client.key, signing_input.encode(), hashlib.sha256
    ).digest()
    return f"{signing_input}.{_b64url(signature)}"


def _assert_malformed(
    integration: Integration, jws: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        answer = integration.post("adduser", jws, verify=False)
    assert answer.status == 400
    assert answer.error_id == ErrorId.MALFORMED_REQUEST
    assert "nested too deeply" in answer.body["errorMsg"]
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert not PingIDUser.objects.filter(username="alice").exists()


def test_nested_header_is_malformed(
    integration: Integration, caplog: pytest.LogCaptureFixture
) -> None:
    nested = _b64url(("[" * 60000 + "]" * 60000).encode())
    jws = f"{nested}.{_b64url(b'{}')}."
    _assert_malformed(integration, jws, caplog)


def test_nested_signed_payload_is_malformed(
    integration: Integration, caplog: pytest.LogCaptureFixture
) -> None:
    payload = '{"reqBody": ' + "[" * 5000 + "]" * 5000 + "}"
    _assert_malformed(integration, _signed(integration, payload), caplog)


def test_nested_client_data_is_malformed(
    integration: Integration, caplog: pytest.LogCaptureFixture
) -> None:
    request_header = {
        "locale": "en",
        "orgAlias": integration.client.org_alias,
        "secretKey": integration.client.token,
        "timestamp": pingid_timestamp(),
        "version": "4.9",
    }
    body = '{"userName": "alice", "fName": "Alice", "clientData": '
    body += '{"a": ' * 3000 + "1" + "}" * 3000 + "}"
    payload = f'{{"reqHeader": {json.dumps(request_header)}, "reqBody": {body}}}'
    _assert_malformed(integration, _signed(integration, payload), caplog)
