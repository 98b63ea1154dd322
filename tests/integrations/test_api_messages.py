"""PingID API error messages name the request fields the client sent.

Services name the input at fault by their own argument names (`username`,
`hours`, `until`). Through the API the message must name the `reqBody` field
instead, in the client's spelling. It repeats at most a short prefix of a huge
value, and a failed call changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pyotp
import pytest

from devices.models import ActivationCode, Device, PairingSession
from devices.services.inventory import NICKNAME_MAX_LENGTH
from tests.factories import DeviceFactory
from tests.integrations.conftest import Integration
from tests.integrations.pingid_client import pingid_timestamp
from users.models import PingIDUser, UserService

pytestmark = pytest.mark.django_db

# Service argument names that a message must not show in place of the request field.
SERVICE_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "device_type",
    "hours",
    "until",
    "services",
    "position",
    "nickname",
)

# (operation, reqBody, errorId, request field the message must name). The user
# "ann" exists; "TooLong" is replaced by a value over the service's length limit.
SERVICE_ERROR_CASES: list[tuple[str, dict[str, Any], int, str]] = [
    ("adduser", {"userName": "tab\there"}, 400, "userName"),
    ("adduser", {"username": "x" * 251}, 400, "username"),
    ("adduser", {"USERNAME": "ANN"}, 10556, "USERNAME"),
    ("adduser", {"userName": "bo", "fName": "TooLong"}, 400, "fName"),
    ("adduser", {"userName": "bo", "fname": "TooLong"}, 400, "fname"),
    ("adduser", {"userName": "bo", "lName": "TooLong"}, 400, "lName"),
    ("adduser", {"userName": "bo", "lname": "TooLong"}, 400, "lname"),
    ("adduser", {"userName": "bo", "email": "not-an-address"}, 400, "email"),
    (
        "adduser",
        {"userName": "bo", "activateUser": True, "deviceType": "Fax"},
        400,
        "deviceType",
    ),
    ("edituser", {"userName": "ann", "fName": "TooLong"}, 10558, "fName"),
    ("edituser", {"userName": "ann", "lname": "TooLong"}, 10558, "lname"),
    ("edituser", {"userName": "ann", "email": "not-an-address"}, 10558, "email"),
    ("activateuser", {"userName": "ann", "deviceType": "Fax"}, 10565, "deviceType"),
    ("getactivationcode", {"userName": "ann", "deviceType": "Fax"}, 400, "deviceType"),
    ("getactivationcode", {"userName": "ann", "devicetype": "Fax"}, 400, "devicetype"),
    ("userbypass", {"userName": "ann", "bypassUntil": 1000}, 400, "bypassUntil"),
    ("userbypass", {"userName": "ann", "bypassuntil": 1000}, 400, "bypassuntil"),
    (
        "userbypass",
        {"userName": "ann", "bypassUntil": 4102444800000, "spAliases": ["fax"]},
        400,
        "spAliases",
    ),
    (
        "userbypass",
        {"userName": "ann", "bypassUntil": 4102444800000, "spAliases": []},
        400,
        "spAliases",
    ),
    (
        "startofflinepairing",
        {"username": "ann", "type": "EMAIL", "pairingData": "not-an-address"},
        400,
        "pairingData",
    ),
]


def _long(body: dict[str, Any]) -> dict[str, Any]:
    return {
        name: "y" * 151 if value == "TooLong" else value for name, value in body.items()
    }


@pytest.mark.parametrize(
    ("operation", "body", "error_id", "field"), SERVICE_ERROR_CASES
)
def test_service_error_names_request_field(
    integration: Integration,
    operation: str,
    body: dict[str, Any],
    error_id: int,
    field: str,
) -> None:
    integration.call("adduser", {"userName": "ann", "fName": "Ann"})

    answer = integration.call(operation, _long(body))

    message = answer.body["errorMsg"]
    assert answer.error_id == error_id, message
    assert message.endswith(f"(field {field})"), message
    for name in SERVICE_FIELDS:
        if name != field:
            assert f"(field {name})" not in message, message


def test_failed_calls_change_nothing(integration: Integration) -> None:
    integration.call("adduser", {"userName": "ann", "fName": "Ann"})

    for operation, body, _, _ in SERVICE_ERROR_CASES:
        integration.call(operation, _long(body))

    ann = PingIDUser.objects.get(username="ann")
    assert list(PingIDUser.objects.values_list("username", flat=True)) == ["ann"]
    assert (ann.first_name, ann.last_name, ann.email) == ("Ann", "", "")
    assert not ActivationCode.objects.exists()
    assert not PairingSession.objects.exists()
    assert not UserService.objects.filter(bypass_until__isnull=False).exists()


def _device(username: str) -> Device:
    return DeviceFactory.create(user=PingIDUser.objects.get(username=username))


def test_device_attribute_errors_name_value(integration: Integration) -> None:
    integration.call("adduser", {"userName": "ann"})
    device = _device("ann")

    renamed = integration.call(
        "updatedeviceattr",
        {
            "userName": "ann",
            "deviceId": device.pk,
            "attributeName": "NICKNAME",
            "attributeValue": "n" * (NICKNAME_MAX_LENGTH + 1),
        },
    )
    moved = integration.call(
        "updatedeviceattr",
        {
            "userName": "ann",
            "deviceId": device.pk,
            "attributeName": "ORDER",
            "attributevalue": 5,
        },
    )

    assert renamed.error_id == 400
    assert renamed.body["errorMsg"].endswith("(field attributeValue)")
    assert moved.error_id == 400
    assert moved.body["errorMsg"].endswith("(field attributevalue)")
    device.refresh_from_db()
    assert device.nickname == ""


def test_wrong_pairing_otp_names_otp(integration: Integration) -> None:
    integration.call("adduser", {"userName": "ann"})
    started = integration.call("authenticatorappstartpairing", {"username": "ann"})
    code = pyotp.TOTP(started.body["pairingKey"]).now()
    wrong = "000000" if code != "000000" else "111111"

    answer = integration.call(
        "authenticatorappfinishpairing",
        {"sessionId": started.body["sessionId"], "OTP": wrong},
    )

    assert answer.error_id == 20513
    assert answer.body["errorMsg"].endswith("(field OTP)")


HUGE_NUMBERS = [10**400, "1" * 5000]


@pytest.mark.parametrize("value", HUGE_NUMBERS, ids=["number", "string"])
def test_huge_hours_cut(integration: Integration, value: Any) -> None:
    integration.call("adduser", {"userName": "ann"})

    answer = integration.call(
        "getactivationcode", {"userName": "ann", "hoursUntilExpiration": value}
    )

    message = answer.body["errorMsg"]
    assert answer.status == 400
    assert answer.error_id == 400
    assert message.startswith("Invalid hoursUntilExpiration ")
    assert "from 1 to 336" in message
    assert f"({len(str(value))} characters)" in message
    assert len(message) < 200
    assert not ActivationCode.objects.exists()


@pytest.mark.parametrize("value", HUGE_NUMBERS, ids=["number", "string"])
def test_huge_bypass_until_cut(integration: Integration, value: Any) -> None:
    integration.call("adduser", {"userName": "ann"})

    answer = integration.call("userbypass", {"userName": "ann", "bypassUntil": value})

    message = answer.body["errorMsg"]
    assert answer.error_id == 400
    assert message.startswith("Invalid bypassUntil ")
    assert "from 0 to 253402300799999" in message
    assert len(message) < 200
    assert not UserService.objects.filter(bypass_until__isnull=False).exists()


@pytest.mark.parametrize(
    ("operation", "field"),
    [("unpairdevice", "deviceId"), ("startauthentication", "deviceId")],
)
@pytest.mark.parametrize("value", HUGE_NUMBERS, ids=["number", "string"])
def test_huge_device_id_cut(
    integration: Integration, operation: str, field: str, value: Any
) -> None:
    integration.call("adduser", {"userName": "ann"})
    device = _device("ann")

    answer = integration.call(operation, {"userName": "ann", field: value})

    message = answer.body["errorMsg"]
    assert answer.error_id == 400
    assert message.startswith(f"Invalid {field} ")
    assert len(message) < 200
    assert Device.objects.filter(pk=device.pk).exists()


@pytest.mark.parametrize(
    ("operation", "body", "field"),
    [
        (
            "getactivationcode",
            {"userName": "ann", "deviceType": "F" * 5000},
            "deviceType",
        ),
        ("adduser", {"userName": "bo", "activateUser": "t" * 5000}, "activateUser"),
        ("adduser", {"userName": "bo", "role": "R" * 5000}, "role"),
        (
            "startofflinepairing",
            {"username": "ann", "type": "EMAIL", "pairingData": "p" * 5000},
            "pairingData",
        ),
        (
            "userbypass",
            {
                "userName": "ann",
                "bypassUntil": 4102444800000,
                "spAliases": ["s" * 5000],
            },
            "spAliases",
        ),
    ],
)
def test_long_text_echo_cut(
    integration: Integration, operation: str, body: dict[str, Any], field: str
) -> None:
    integration.call("adduser", {"userName": "ann"})

    answer = integration.call(operation, body)

    message = answer.body["errorMsg"]
    assert answer.error_id == 400
    assert field in message
    assert "(5000 characters)" in message
    assert len(message) < 300


def test_huge_json_number_malformed(integration: Integration) -> None:
    client = integration.client
    digits = "9" * 5000
    payload = {
        "reqHeader": {
            "locale": "en",
            "orgAlias": client.org_alias,
            "secretKey": client.token,
            "timestamp": pingid_timestamp(),
            "version": "4.9",
        },
        "reqBody": {"userName": "ann", "hoursUntilExpiration": "HOURS"},
    }
    # json.dumps cannot write an int of 5000 digits, so it goes in as text.
    text = json.dumps(payload).replace('"HOURS"', digits)

    answer = integration.post("getactivationcode", client.sign_text(text), verify=False)

    assert answer.status == 400
    assert answer.error_id == 90001
    assert "more than 4300 digits" in answer.body["errorMsg"]
    assert len(answer.body["errorMsg"]) < 200


def test_non_ascii_digits_invalid(integration: Integration) -> None:
    integration.call("adduser", {"userName": "ann"})

    answer = integration.call(
        "getactivationcode", {"userName": "ann", "hoursUntilExpiration": "²"}
    )

    assert answer.status == 400
    assert answer.error_id == 400
    assert "hoursUntilExpiration" in answer.body["errorMsg"]


@pytest.mark.parametrize(
    ("operation", "body", "expected"),
    [
        ("adduser", {"userName": "bo", "Role": "BOSS"}, "Invalid Role 'BOSS'"),
        ("adduser", {"userName": "bo", "ACTIVATEUSER": "yes"}, "Invalid ACTIVATEUSER"),
        ("adduser", {"UserName": ["bo"]}, "Invalid UserName: expected a string"),
        (
            "adduser",
            {"userName": {"a": 1}},
            "Invalid userName: expected a string, got an object",
        ),
        (
            "getactivationcode",
            {"userName": "ann", "HOURSUNTILEXPIRATION": 0},
            "Invalid HOURSUNTILEXPIRATION 0",
        ),
        (
            "userbypass",
            {"userName": "ann", "BypassUntil": "soon"},
            "Invalid BypassUntil 'soon'",
        ),
        (
            "updatedeviceattr",
            {"userName": "ann", "deviceId": "DEVICE", "attributeName": "NICKNAME"},
            "Invalid deviceId 'DEVICE'",
        ),
        (
            "authenticatorappstartpairing",
            {"username": "ann", "PairingType": "hotp"},
            "Invalid PairingType 'hotp'",
        ),
        (
            "startofflinepairing",
            {"username": "ann", "Type": "sms", "pairingData": "+15550100"},
            "Invalid Type 'sms'",
        ),
        ("authenticatorappstartpairing", {}, "username is missing"),
        ("startofflinepairing", {"type": "EMAIL"}, "username is missing"),
        ("getuserdetails", {}, "userName is missing"),
    ],
)
def test_operation_message_uses_client_spelling(
    integration: Integration, operation: str, body: dict[str, Any], expected: str
) -> None:
    integration.call("adduser", {"userName": "ann"})

    answer = integration.call(operation, body)

    assert answer.error_id == 400
    assert answer.body["errorMsg"].startswith(expected), answer.body["errorMsg"]


def test_unknown_user_message_next_step(integration: Integration) -> None:
    answer = integration.call("deleteuser", {"username": "nobody"})

    assert answer.error_id == 10564
    assert answer.body["errorMsg"] == (
        "User 'nobody' does not exist in this organization: check username, or add "
        "the user with adduser."
    )


def test_suspend_inactive_user_message(integration: Integration) -> None:
    integration.call("adduser", {"userName": "ann"})

    answer = integration.call("suspenduser", {"userName": "ann"})

    assert answer.error_id == 10561
    assert "only an ACTIVE user" in answer.body["errorMsg"]
    assert PingIDUser.objects.get(username="ann").status != "SUSPENDED"
