"""Feed random and malformed JWS bodies to the PingID API.

No input may cause a server error, and a call that is not signed with the
settings file's key must change nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Membership
from integrations.models import SettingsFile, SettingsFileKind
from integrations.services import settings_file_generate
from pingid_portal.actors import Actor
from tests.factories import PingIDUserFactory

pytestmark = pytest.mark.django_db

EXAMPLES = 150
OPERATIONS = [
    "adduser",
    "getuserdetails",
    "edituser",
    "deleteuser",
    "suspenduser",
    "activateuser",
    "userbypass",
    "getactivationcode",
    "pairingstatus",
    "unpairdevice",
    "updatedeviceattr",
    "authenticatorappstartpairing",
    "authenticatorappfinishpairing",
    "startofflinepairing",
    "finalizeofflinepairing",
    "startauthentication",
    "authoffline",
    "cancelauthentication",
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

# Field names and values of real requests, so that many calls reach the
# operation's own checks and some succeed.
REQUEST_FIELDS = [
    "userName",
    "username",
    "deviceId",
    "sessionId",
    "otp",
    "bypassUntil",
    "activationCode",
    "spAlias",
    "spAliases",
    "fName",
    "lName",
    "email",
    "role",
    "activateUser",
    "deviceType",
    "attributeName",
    "attributeValue",
    "hoursUntilExpiration",
    "pairingType",
    "type",
    "clientData",
]
field_values = (
    json_values
    | st.sampled_from(
        ["alice", "bob", "web", "REGULAR", "ADMIN", "TOTP", "EMAIL", "SET_PRIMARY"]
    )
    | st.integers(min_value=-(2**63), max_value=2**63)
)
request_bodies = st.fixed_dictionaries(
    {"userName": st.sampled_from(["alice", "bob"]) | st.text(max_size=20)},
    optional={name: field_values for name in REQUEST_FIELDS if name != "userName"},
)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _signed(header: dict[str, Any], payload: Any, key: bytes) -> str:
    signing_input = (
        _b64url(json.dumps(header).encode())
        + "."
        + _b64url(json.dumps(payload).encode())
    )
    signature = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def _state() -> dict[str, Any]:
    """Return the row count of every model outside the activity log, and file use."""
    counts: dict[str, Any] = {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("activity", "sessions")
    }
    counts["settings file use"] = list(
        SettingsFile.objects.order_by("pk").values_list("call_count", "last_used_at")
    )
    return counts


@pytest.fixture
def settings_file(global_admin: Membership) -> SettingsFile:
    PingIDUserFactory(organization=global_admin.organization, username="alice")
    return settings_file_generate(
        actor=Actor.for_membership(global_admin), kind=SettingsFileKind.FULL
    )


def _post(client: Client, operation: str, body: bytes | str) -> int:
    response = client.post(
        f"/pingid/rest/4/{operation}/do", data=body, content_type="application/json"
    )
    return response.status_code


def _request_body(settings_file: SettingsFile, body: Any) -> dict[str, Any]:
    alias = str(settings_file.organization.org_alias)
    return {
        "reqHeader": {
            "locale": "en",
            "orgAlias": alias,
            "secretKey": settings_file.token,
            "timestamp": _timestamp(),
            "version": "4.9",
        },
        "reqBody": body,
    }


def test_random_bodies_change_nothing(settings_file: SettingsFile) -> None:
    client = Client()
    before = _state()

    @FUZZ_SETTINGS
    @given(
        operation=st.sampled_from(OPERATIONS) | st.text(min_size=1, max_size=30),
        body=st.binary(max_size=600) | st.text(max_size=600),
    )
    def call(operation: str, body: bytes | str) -> None:
        if "/" in operation or "?" in operation or "#" in operation:
            operation = "adduser"
        assert _post(client, operation, body) < 500

    call()

    assert _state() == before


def test_badly_signed_calls_change_nothing(settings_file: SettingsFile) -> None:
    client = Client()
    alias = str(settings_file.organization.org_alias)
    key = base64.b64decode(settings_file.signing_key)
    before = _state()

    @FUZZ_SETTINGS
    @given(
        operation=st.sampled_from(OPERATIONS),
        alg=st.sampled_from(["HS256", "none", "None", "HS512", "RS256", ""]),
        org_alias=st.sampled_from([alias, "", "00000000-0000-0000-0000-000000000000"]),
        token=st.sampled_from([settings_file.token, "", "not-a-token"]),
        body=st.dictionaries(st.text(max_size=12), json_values, max_size=6),
        signature=st.sampled_from(["wrong key", "random", "empty", "truncated"]),
        random_bytes=st.binary(min_size=1, max_size=64),
    )
    def call(
        operation: str,
        alg: str,
        org_alias: str,
        token: str,
        body: dict[str, Any],
        signature: str,
        random_bytes: bytes,
    ) -> None:
        header = {"alg": alg, "org_alias": org_alias, "token": token}
        payload = _request_body(settings_file, {"userName": "alice", **body})
        jws = _signed(header, payload, hashlib.sha256(key + b"wrong").digest())
        signing_input = jws.rsplit(".", 1)[0]
        if signature == "random":
            jws = f"{signing_input}.{_b64url(random_bytes)}"
        elif signature == "empty":
            jws = f"{signing_input}."
        elif signature == "truncated":
            genuine = _signed(header, payload, key)
            jws = genuine[:-4]
        assert _post(client, operation, jws) < 500

    call()

    assert _state() == before


def test_signed_random_bodies_cause_no_server_error(
    settings_file: SettingsFile,
) -> None:
    client = Client()
    alias = str(settings_file.organization.org_alias)
    key = base64.b64decode(settings_file.signing_key)
    header = {"alg": "HS256", "org_alias": alias, "token": settings_file.token}

    @FUZZ_SETTINGS
    @given(operation=st.sampled_from(OPERATIONS), body=json_values | request_bodies)
    def call(operation: str, body: Any) -> None:
        jws = _signed(header, _request_body(settings_file, body), key)
        status = _post(client, operation, jws)
        statuses.append(status)
        assert status < 500

    statuses: list[int] = []
    call()

    # Guards against a run where every call stopped before the operation ran
    # (at the signature, the replay check or the rate limit).
    assert statuses.count(200) > 0
    assert statuses.count(401) + statuses.count(429) < len(statuses)
