"""Device operations through the PingID API."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
import time_machine

from activity.models import ActivityEvent
from devices.models import Device
from tests.integrations.conftest import Integration
from users.models import PingIDUser, UserStatus

pytestmark = pytest.mark.django_db


def _pair(integration: Integration, username: str) -> int:
    started = integration.call("authenticatorappstartpairing", {"username": username})
    totp = pyotp.TOTP(started.body["pairingKey"])
    finished = integration.call(
        "authenticatorappfinishpairing",
        {"sessionId": started.body["sessionId"], "otp": totp.now()},
    )
    assert finished.error_id == 200, finished.body
    return int(finished.body["deviceId"])


def test_activation_code_and_pairing_status(integration: Integration) -> None:
    integration.call("adduser", {"userName": "ann"})

    issued = integration.call(
        "getactivationcode", {"userName": "ann", "hoursUntilExpiration": "24"}
    )
    status = integration.call(
        "pairingstatus", {"activationCode": issued.body["activationCode"]}
    )
    unknown = integration.call("pairingstatus", {"activationCode": "000000000000"})

    assert issued.error_id == 200
    assert len(issued.body["activationCode"]) == 12
    assert status.body["pairingStatus"] == "NOT_CLAIMED"
    assert unknown.body["pairingStatus"] == "NOT_EXIST"


def test_activation_code_hours_out_of_range(integration: Integration) -> None:
    integration.call("adduser", {"userName": "ben"})

    answer = integration.call(
        "getactivationcode", {"userName": "ben", "hoursUntilExpiration": 400}
    )

    assert answer.error_id == 400
    assert "336" in answer.body["errorMsg"]


def test_wrong_pairing_code_is_20513(integration: Integration) -> None:
    integration.call("adduser", {"userName": "cy"})
    started = integration.call("authenticatorappstartpairing", {"username": "cy"})

    answer = integration.call(
        "authenticatorappfinishpairing",
        {"sessionId": started.body["sessionId"], "otp": "000000"},
    )

    assert answer.error_id == 20513
    assert not Device.objects.filter(user__username="cy").exists()


def test_update_attributes_and_unpair(integration: Integration) -> None:
    integration.call("adduser", {"userName": "dee"})
    with time_machine.travel("2026-05-04 10:00:00+00:00", tick=False) as clock:
        first = _pair(integration, "dee")
        clock.shift(timedelta(seconds=1))
        second = _pair(integration, "dee")
        clock.shift(timedelta(seconds=1))

        primary = integration.call(
            "updatedeviceattr",
            {"userName": "dee", "deviceId": second, "attributeName": "SET_PRIMARY"},
        )
        clock.shift(timedelta(seconds=1))
        renamed = integration.call(
            "updatedeviceattr",
            {
                "userName": "dee",
                "deviceId": first,
                "attributeName": "NICKNAME",
                "attributeValue": "Old phone",
            },
        )
        clock.shift(timedelta(seconds=1))
        bad = integration.call(
            "updatedeviceattr",
            {"userName": "dee", "deviceId": first, "attributeName": "COLOUR"},
        )
        clock.shift(timedelta(seconds=1))
        unpaired_one = integration.call(
            "unpairdevice", {"userName": "dee", "deviceId": first}
        )
        clock.shift(timedelta(seconds=1))
        unpaired_rest = integration.call("unpairdevice", {"userName": "dee"})

    assert primary.error_id == 200
    assert renamed.error_id == 200
    assert bad.error_id == 400
    assert unpaired_one.error_id == 200
    assert unpaired_rest.error_id == 200
    assert (
        PingIDUser.objects.get(username="dee").status
        == UserStatus.PENDING_CHANGE_DEVICE
    )
    assert ActivityEvent.objects.filter(
        action="device.unpair", actor_kind="settings_file"
    ).exists()


def test_sms_pairing_is_not_available(integration: Integration) -> None:
    integration.call("adduser", {"userName": "eli"})

    answer = integration.call(
        "startofflinepairing",
        {"username": "eli", "type": "SMS", "pairingData": "+15550100"},
    )

    assert answer.error_id == 400
    assert "SMS" in answer.body["errorMsg"]
