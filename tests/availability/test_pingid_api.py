"""Every availability combination through the PingID API's startauthentication,
with the authentication event each one records."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Membership
from activity.models import ActivityEvent
from availability.decisions import DecisionMode, DecisionReason
from availability.models import (
    EmergencyBypass,
    FailureMode,
    ServiceFailureMode,
    ServiceState,
)
from devices.models import Device, DeviceRole, DeviceType
from pingid_portal.actors import Actor
from tests.availability.test_decisions import COMBINATIONS, SERVICE, _arrange, _expected
from tests.factories import PingIDUserFactory
from tests.integrations.conftest import (  # noqa: F401
    Integration,
    empty_cache,
    integration_for,
)
from users.models import UserService, UserStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def pingid(
    global_admin: Membership,
    integration_for: Callable[..., Integration],  # noqa: F811
) -> Integration:
    """A full settings file of `organization`, signing requests like a client."""
    return integration_for(global_admin)


# errorId values of the PingID API.
OK = 200
NO_DEVICE = 90041
AUTHENTICATION_REJECTED = 90042
USER_NOT_FOUND = 10564
USER_SUSPENDED = 90040


def _start(pingid: Integration, service: str = SERVICE) -> Any:
    return pingid.call("startauthentication", {"userName": "pat", "spAlias": service})


def _event() -> ActivityEvent:
    return ActivityEvent.objects.get(action="authentication.start")


@pytest.mark.parametrize(
    ("enabled", "maintenance", "bypass", "default", "override"), COMBINATIONS
)
def test_start_authentication_combination(
    pingid: Integration,
    enabled: bool,
    maintenance: bool,
    bypass: str,
    default: str,
    override: str | None,
) -> None:
    organization = pingid.settings_file.organization
    actor = Actor.system(organization)
    _arrange(actor, timezone.now(), enabled, maintenance, bypass, default, override)
    # A user without a device: a normal authentication stops at NO_DEVICE.
    PingIDUserFactory(organization=organization, username="pat")

    answer = _start(pingid)

    event = _event()
    expected = _expected(enabled, maintenance, bypass, default, override)
    assert event.service == SERVICE
    assert event.pingid_username == "pat"
    if expected is None:
        assert answer.error_id == NO_DEVICE
        assert event.reason == "no_device"
        return
    mode, reason = expected
    assert event.reason == reason
    assert event.message.endswith(".")
    if mode == DecisionMode.BYPASS:
        assert answer.error_id == OK, answer.body
        assert answer.body["userInBypass"] is True
        assert answer.body["bypassReason"] == reason
        assert event.outcome == "bypassed"
    else:
        assert answer.error_id == AUTHENTICATION_REJECTED, answer.body
        assert answer.body["errorMsg"] == event.message
        assert event.outcome == "denied"


# Users that no decision may let in: username, how to create them, errorId and
# the reason of the rejection they get when MFA would be bypassed.
INADMISSIBLE_USERS = {
    "unknown": (USER_NOT_FOUND, "unknown_user"),
    "suspended": (USER_SUSPENDED, "user_suspended"),
    "not_enabled": (AUTHENTICATION_REJECTED, "service_not_active"),
}


def _inadmissible_user(organization: Any, kind: str) -> None:
    if kind == "suspended":
        PingIDUserFactory(
            organization=organization, username="pat", status=UserStatus.SUSPENDED
        )
    elif kind == "not_enabled":
        user = PingIDUserFactory(organization=organization, username="pat")
        UserService.objects.filter(user=user, service=SERVICE).update(enabled=False)


@pytest.mark.parametrize("kind", sorted(INADMISSIBLE_USERS))
@pytest.mark.parametrize(
    ("enabled", "maintenance", "bypass", "default", "override"), COMBINATIONS
)
def test_inadmissible_user_combination(
    pingid: Integration,
    enabled: bool,
    maintenance: bool,
    bypass: str,
    default: str,
    override: str | None,
    kind: str,
) -> None:
    organization = pingid.settings_file.organization
    actor = Actor.system(organization)
    _arrange(actor, timezone.now(), enabled, maintenance, bypass, default, override)
    _inadmissible_user(organization, kind)

    answer = _start(pingid)

    event = _event()
    expected = _expected(enabled, maintenance, bypass, default, override)
    if expected is not None and expected[0] == DecisionMode.REJECT:
        # Failing closed rejects everyone, with the decision's reason.
        assert answer.error_id == AUTHENTICATION_REJECTED, answer.body
        assert event.reason == expected[1]
        return
    # Normal authentication and every bypass reject the user for who they are.
    error_id, reason = INADMISSIBLE_USERS[kind]
    assert answer.error_id == error_id, answer.body
    assert "userInBypass" not in answer.body
    assert event.reason == reason
    assert event.outcome != "bypassed"


def test_disabled_message_recorded(pingid: Integration) -> None:
    organization = pingid.settings_file.organization
    ServiceState.objects.create(
        organization=organization, enabled=False, reason="Tenant migration"
    )
    PingIDUserFactory(organization=organization, username="pat")

    answer = _start(pingid, "ssh")

    assert answer.error_id == AUTHENTICATION_REJECTED
    assert _event().message == (
        "PingID is disabled for this organization (Tenant migration), so "
        "authentication was rejected because the behaviour during errors for "
        "service ssh is reject (fail closed)."
    )


@pytest.mark.parametrize(
    ("default", "override", "error_id", "outcome"),
    [
        (FailureMode.REJECT, None, AUTHENTICATION_REJECTED, "denied"),
        (FailureMode.BYPASS, None, OK, "bypassed"),
        (FailureMode.REJECT, FailureMode.BYPASS, OK, "bypassed"),
        (FailureMode.BYPASS, FailureMode.REJECT, AUTHENTICATION_REJECTED, "denied"),
    ],
)
def test_dependency_failure_through_api(
    pingid: Integration,
    monkeypatch: pytest.MonkeyPatch,
    default: str,
    override: str | None,
    error_id: int,
    outcome: str,
) -> None:
    organization = pingid.settings_file.organization
    ServiceState.objects.create(organization=organization, failure_mode=default)
    if override:
        ServiceFailureMode.objects.create(
            organization=organization, service=SERVICE, mode=override
        )
    user = PingIDUserFactory(organization=organization, username="pat")
    Device.objects.create(
        organization=organization,
        user=user,
        type=DeviceType.EMAIL,
        role=DeviceRole.PRIMARY,
        email="pat@example.com",
    )

    def mail_server_down(**kwargs: Any) -> None:
        raise smtplib.SMTPConnectError(421, "mail server unavailable")

    monkeypatch.setattr(
        "integrations.pingid.operations.authentication.email_otp_send",
        mail_server_down,
    )

    answer = _start(pingid)

    event = _event()
    assert answer.error_id == error_id, answer.body
    assert event.outcome == outcome
    assert event.reason == DecisionReason.DEPENDENCY_FAILURE
    assert event.message.startswith("A dependency of PingID failed")


def test_bypass_ends_then_normal(pingid: Integration) -> None:
    organization = pingid.settings_file.organization
    PingIDUserFactory(organization=organization, username="pat")
    now = timezone.now()
    EmergencyBypass.objects.create(
        organization=organization,
        starts_at=now - timedelta(hours=2),
        ends_at=now - timedelta(minutes=1),
        reason="Over",
        started_by="tests",
    )

    answer = _start(pingid)

    assert answer.error_id == NO_DEVICE
    assert _event().reason == "no_device"
