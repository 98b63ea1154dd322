"""Pairing and authentication through the PingID API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from django.core import mail

from activity.models import ActivityEvent
from availability import decisions
from availability.decisions import Decision, DecisionMode
from devices.models import Device
from integrations.models import AuthenticationSession, AuthenticationStatus
from tests.factories import PingIDUserFactory
from tests.integrations.conftest import Integration
from users.models import PingIDUser, UserStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel("2026-05-04 10:00:00+00:00", tick=False) as traveller:
        yield traveller


def _pair_app(integration: Integration, username: str) -> pyotp.TOTP:
    started = integration.call(
        "authenticatorappstartpairing", {"username": username, "pairingType": "TOTP"}
    )
    assert started.error_id == 200, started.body
    assert started.body["pairingKeyUri"].startswith("otpauth://")
    totp = pyotp.TOTP(started.body["pairingKey"])
    finished = integration.call(
        "authenticatorappfinishpairing",
        {"sessionId": started.body["sessionId"], "otp": totp.now()},
    )
    assert finished.error_id == 200, finished.body
    return totp


def _user(integration: Integration, username: str, **fields: Any) -> PingIDUser:
    return PingIDUserFactory(
        organization=integration.settings_file.organization, username=username, **fields
    )


def test_app_pairing_and_authentication(
    integration: Integration, clock: time_machine.Coordinates
) -> None:
    integration.call("adduser", {"userName": "alice"})
    totp = _pair_app(integration, "alice")
    clock.shift(timedelta(seconds=30))

    started = integration.call(
        "startauthentication",
        {
            "spAlias": "vpn",
            "userName": "alice",
            "application": "VPN",
            "ipAddr": "203.0.113.9",
        },
    )
    finished = integration.call(
        "authoffline",
        {
            "spAlias": "vpn",
            "userName": "alice",
            "sessionId": started.body["sessionId"],
            "otp": totp.now(),
        },
    )

    assert started.error_id == 30015
    assert (
        started.body["authenticatingDeviceId"]
        == started.body["userDevices"][0]["deviceId"]
    )
    assert finished.error_id == 200
    events = ActivityEvent.objects.filter(
        category="authentication", action__startswith="authentication."
    )
    finish = events.get(action="authentication.finish")
    assert finish.outcome == "success"
    assert finish.settings_file_id == integration.settings_file.pk
    assert finish.ip_address == "198.51.100.7"
    assert finish.service == "vpn"
    assert finish.device_id == str(started.body["authenticatingDeviceId"])
    assert finish.application == "VPN"
    start = events.get(action="authentication.start")
    assert start.application == "VPN"
    assert "203.0.113.9" in start.message
    assert PingIDUser.objects.get(username="alice").last_authenticated_at is not None


def test_wrong_otp_then_session_reuse(
    integration: Integration, clock: time_machine.Coordinates
) -> None:
    integration.call("adduser", {"userName": "bob"})
    totp = _pair_app(integration, "bob")
    clock.shift(timedelta(seconds=30))
    session_id = integration.call("startauthentication", {"userName": "bob"}).body[
        "sessionId"
    ]

    wrong = integration.call("authoffline", {"sessionId": session_id, "otp": "000000"})
    right = integration.call(
        "authoffline", {"sessionId": session_id, "otp": totp.now()}
    )
    clock.shift(timedelta(seconds=1))
    reused = integration.call(
        "authoffline", {"sessionId": session_id, "otp": totp.now()}
    )

    assert wrong.error_id == 20513
    assert right.error_id == 200
    assert reused.error_id == 20517
    finishes = list(
        ActivityEvent.objects.filter(action="authentication.finish").order_by("id")
    )
    assert [(e.outcome, e.reason) for e in finishes] == [
        ("failure", "otp_invalid"),
        ("success", ""),
    ]
    assert finishes[0].after == {"failure_count": 1, "locked_until": None}
    assert finishes[1].device_display == finishes[0].device_display != ""
    # One event per code: authentication.finish carries the OTP check.
    assert not ActivityEvent.objects.filter(action="device.otp_verify").exists()


def test_expired_session_is_20517(
    integration: Integration, clock: time_machine.Coordinates
) -> None:
    integration.call("adduser", {"userName": "eve"})
    totp = _pair_app(integration, "eve")
    clock.shift(timedelta(seconds=30))
    session_id = integration.call("startauthentication", {"userName": "eve"}).body[
        "sessionId"
    ]
    clock.shift(timedelta(seconds=301))

    answer = integration.call(
        "authoffline", {"sessionId": session_id, "otp": totp.now()}
    )

    assert answer.error_id == 20517
    session = AuthenticationSession.objects.get(session_id=session_id)
    assert session.status == AuthenticationStatus.FAILED
    assert ActivityEvent.objects.filter(
        action="authentication.finish", outcome="timed_out"
    ).exists()


def test_cancel_authentication(
    integration: Integration, clock: time_machine.Coordinates
) -> None:
    integration.call("adduser", {"userName": "cat"})
    totp = _pair_app(integration, "cat")
    clock.shift(timedelta(seconds=30))
    session_id = integration.call("startauthentication", {"userName": "cat"}).body[
        "sessionId"
    ]

    cancelled = integration.call("cancelauthentication", {"sessionId": session_id})
    after = integration.call(
        "authoffline", {"sessionId": session_id, "otp": totp.now()}
    )

    assert cancelled.error_id == 200
    assert after.error_id == 20517


def test_unknown_and_suspended_users_rejected(integration: Integration) -> None:
    _user(integration, "sus", status=UserStatus.SUSPENDED)

    unknown = integration.call("startauthentication", {"userName": "ghost"})
    suspended = integration.call("startauthentication", {"userName": "sus"})

    assert unknown.error_id == 10564
    assert "'ghost' does not exist: check userName" in unknown.body["errorMsg"]
    assert suspended.error_id == 90040
    reasons = set(
        ActivityEvent.objects.filter(action="authentication.start").values_list(
            "reason", flat=True
        )
    )
    assert reasons == {"unknown_user", "user_suspended"}


def test_bypassed_user_succeeds(integration: Integration) -> None:
    _user(integration, "byp")
    integration.call(
        "userbypass",
        {"userName": "byp", "bypassUntil": 4102444800000, "spAliases": ["ssh"]},
    )

    in_bypass = integration.call(
        "startauthentication", {"userName": "byp", "spAlias": "ssh"}
    )
    not_bypassed = integration.call(
        "startauthentication", {"userName": "byp", "spAlias": "web"}
    )

    assert in_bypass.error_id == 200
    assert in_bypass.body["userInBypass"] is True
    assert not_bypassed.error_id == 90041
    assert ActivityEvent.objects.filter(
        action="authentication.start", outcome="bypassed"
    ).exists()


def test_email_device_gets_code(
    integration: Integration,
    clock: time_machine.Coordinates,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    integration.call("adduser", {"userName": "mia"})
    with django_capture_on_commit_callbacks(execute=True):
        started = integration.call(
            "startofflinepairing",
            {"username": "mia", "type": "EMAIL", "pairingData": "mia@example.com"},
        )
    integration.call(
        "finalizeofflinepairing",
        {"sessionId": started.body["sessionId"], "otp": _last_code()},
    )
    assert Device.objects.filter(user__username="mia", type="Email").exists()
    # The same body signed at the same instant is the same request, even for
    # another operation, so the frozen clock moves on.
    clock.shift(timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        challenge = integration.call("startauthentication", {"userName": "mia"})
    assert challenge.error_id == 30005, challenge.body
    finished = integration.call(
        "authoffline", {"sessionId": challenge.body["sessionId"], "otp": _last_code()}
    )

    assert challenge.error_id == 30005
    assert finished.error_id == 200


def _last_code() -> str:
    import re

    match = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


@pytest.mark.parametrize(
    ("mode", "error_id", "outcome"),
    [(DecisionMode.REJECT, 90042, "denied"), (DecisionMode.BYPASS, 200, "bypassed")],
)
def test_availability_decision_honoured(
    integration: Integration,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    error_id: int,
    outcome: str,
) -> None:
    _user(integration, "dan")
    decision = Decision(mode=mode, reason="maintenance", message="Planned maintenance.")
    monkeypatch.setattr(
        "integrations.pingid.operations.authentication.authentication_decision",
        lambda **kwargs: decision,
    )

    answer = integration.call("startauthentication", {"userName": "dan"})

    assert answer.error_id == error_id
    event = ActivityEvent.objects.get(action="authentication.start")
    assert event.outcome == outcome
    assert event.reason == "maintenance"
    assert decisions.authentication_decision is not None


def test_auth_only_file_authenticates(
    integration: Integration,
    auth_only_integration: Integration,
    clock: time_machine.Coordinates,
) -> None:
    integration.call("adduser", {"userName": "win"})
    totp = _pair_app(integration, "win")
    clock.shift(timedelta(seconds=30))

    started = auth_only_integration.call(
        "startauthentication", {"userName": "win", "spAlias": "winlocal"}
    )
    finished = auth_only_integration.call(
        "authoffline", {"sessionId": started.body["sessionId"], "otp": totp.now()}
    )
    pairing = auth_only_integration.call(
        "authenticatorappstartpairing", {"username": "win"}
    )

    assert started.error_id == 30015
    assert finished.error_id == 200
    assert pairing.error_id == 90022


def test_user_rate_limit(integration: Integration, settings: Any) -> None:
    settings.PINGID_RATE_LIMIT_PER_USER_PER_MINUTE = 2
    _user(integration, "fast")

    answers = [
        integration.call("startauthentication", {"userName": "fast"}) for _ in range(3)
    ]

    assert [a.error_id for a in answers][-1] == 90031
    assert answers[-1].status == 429


def test_locked_user_rejected_at_start(
    integration: Integration, clock: time_machine.Coordinates
) -> None:
    integration.call("adduser", {"userName": "lou"})
    _pair_app(integration, "lou")
    clock.shift(timedelta(seconds=30))
    session_id = integration.call("startauthentication", {"userName": "lou"}).body[
        "sessionId"
    ]
    wrong = []
    for _ in range(6):
        # Identical bodies at the same frozen instant would be replays (90012).
        clock.shift(timedelta(seconds=1))
        wrong.append(
            integration.call("authoffline", {"sessionId": session_id, "otp": "000000"})
        )
    assert [answer.error_id for answer in wrong] == [20513] * 5 + [90043]
    sessions_before = AuthenticationSession.objects.count()

    started = integration.call("startauthentication", {"userName": "lou"})

    assert started.error_id == 90043
    assert started.status == 403
    assert "sessionId" not in started.body
    assert AuthenticationSession.objects.count() == sessions_before
    event = ActivityEvent.objects.filter(action="authentication.start").latest("id")
    assert event.reason == "otp_locked"
    assert event.outcome == "denied"


def test_bypass_decision_rejects_unknown_user(
    integration: Integration, monkeypatch: pytest.MonkeyPatch
) -> None:
    decision = Decision(
        mode=DecisionMode.BYPASS,
        reason="emergency_bypass",
        message="An emergency bypass is in force.",
    )
    monkeypatch.setattr(
        "integrations.pingid.operations.authentication.authentication_decision",
        lambda **kwargs: decision,
    )

    answer = integration.call(
        "startauthentication", {"userName": "nosuchuser", "spAlias": "vpn"}
    )

    assert answer.error_id == 10564
    assert "userInBypass" not in answer.body
    event = ActivityEvent.objects.get(action="authentication.start")
    assert event.reason == "unknown_user"
    assert event.outcome == "failure"


def _started_session(
    integration: Integration, clock: time_machine.Coordinates, username: str
) -> tuple[pyotp.TOTP, str]:
    integration.call("adduser", {"userName": username})
    totp = _pair_app(integration, username)
    clock.shift(timedelta(seconds=30))
    started = integration.call("startauthentication", {"userName": username})
    assert started.error_id == 30015, started.body
    return totp, started.body["sessionId"]


def _finish_event(username: str) -> ActivityEvent:
    return ActivityEvent.objects.filter(
        action="authentication.finish", pingid_username=username
    ).get()


def test_user_suspended_mid_session_rejected(
    integration: Integration, clock: time_machine.Coordinates
) -> None:
    totp, session_id = _started_session(integration, clock, "sam")
    clock.shift(timedelta(seconds=1))
    suspended = integration.call("suspenduser", {"userName": "sam"})

    answer = integration.call(
        "authoffline", {"sessionId": session_id, "otp": totp.now()}
    )

    assert suspended.error_id == 200
    assert answer.status == 403
    assert answer.error_id == 90040
    event = _finish_event("sam")
    assert (event.outcome, event.reason) == ("denied", "user_suspended")
    session = AuthenticationSession.objects.get(session_id=session_id)
    assert session.status == AuthenticationStatus.FAILED


def test_service_disabled_mid_session_rejected(
    integration: Integration, clock: time_machine.Coordinates
) -> None:
    totp, session_id = _started_session(integration, clock, "sid")
    PingIDUser.objects.get(username="sid").services.update(enabled=False)

    answer = integration.call(
        "authoffline", {"sessionId": session_id, "otp": totp.now()}
    )

    assert answer.status == 403
    assert answer.error_id == 90042
    assert _finish_event("sid").reason == "service_not_active"


def test_unpaired_device_rejects_other_device_code(
    integration: Integration, clock: time_machine.Coordinates
) -> None:
    first, session_id = _started_session(integration, clock, "una")
    user = PingIDUser.objects.get(username="una")
    first_device = Device.objects.get(user=user)
    second = pyotp.TOTP(pyotp.random_base32())
    Device.objects.create(
        organization=user.organization,
        user=user,
        type="authenticator_app",
        totp_secret=second.secret,
        order=1,
    )
    unpaired = integration.call(
        "unpairdevice", {"userName": "una", "deviceId": first_device.pk}
    )

    answer = integration.call(
        "authoffline", {"sessionId": session_id, "otp": second.now()}
    )

    assert unpaired.error_id == 200, unpaired.body
    assert answer.status == 403
    assert answer.error_id == 90041
    assert "unpaired" in answer.body["errorMsg"]
    assert _finish_event("una").reason == "device_unpaired"
    assert AuthenticationSession.objects.get(session_id=session_id).status == (
        AuthenticationStatus.FAILED
    )


def test_blocked_device_closes_session(
    integration: Integration, clock: time_machine.Coordinates
) -> None:
    totp, session_id = _started_session(integration, clock, "bea")
    Device.objects.filter(user__username="bea").update(blocked=True)

    answer = integration.call(
        "authoffline", {"sessionId": session_id, "otp": totp.now()}
    )
    clock.shift(timedelta(seconds=1))
    again = integration.call(
        "authoffline", {"sessionId": session_id, "otp": totp.now()}
    )

    assert answer.status == 403
    assert answer.error_id == 90041
    assert "blocked" in answer.body["errorMsg"]
    assert _finish_event("bea").reason == "device_blocked"
    assert again.error_id == 20517


def test_username_with_spaces_finishes(
    integration: Integration, clock: time_machine.Coordinates
) -> None:
    totp, session_id = _started_session(integration, clock, "tim")

    answer = integration.call(
        "authoffline", {"sessionId": session_id, "otp": totp.now(), "userName": " tim "}
    )

    assert answer.error_id == 200, answer.body
