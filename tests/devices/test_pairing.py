from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
import time_machine
from django.core import mail

from activity.models import ActivityEvent, Outcome
from devices.models import Device, DeviceRole, DeviceType
from devices.services import (
    email_pairing_finish,
    email_pairing_start,
    otp_verify,
    totp_pairing_finish,
    totp_pairing_start,
)
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from users.models import PingIDUser, UserStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, 15, tzinfo=UTC)


def test_totp_pairing_uri_carries_secret(actor: Actor, person: PingIDUser) -> None:
    session, secret, uri = totp_pairing_start(actor=actor, user=person)

    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth"
    assert parsed.netloc == "totp"
    assert parse_qs(parsed.query)["secret"] == [secret]
    assert parse_qs(parsed.query)["issuer"] == ["Acme"]
    assert session.secret == secret


def test_totp_pairing_with_first_valid_code(actor: Actor, person: PingIDUser) -> None:
    person.status = UserStatus.PENDING_CHANGE_DEVICE
    person.save()
    with time_machine.travel(NOW, tick=False):
        session, secret, _ = totp_pairing_start(actor=actor, user=person)
        device = totp_pairing_finish(
            actor=actor, session=session, otp=pyotp.TOTP(secret).now()
        )

    assert device.type == DeviceType.AUTHENTICATOR_APP
    assert device.role == DeviceRole.PRIMARY
    assert device.totp_secret == secret
    person.refresh_from_db()
    assert person.status == UserStatus.ACTIVE
    assert ActivityEvent.objects.filter(action="device.pair").count() == 1


def test_totp_pairing_code_cannot_be_replayed(
    actor: Actor, client_actor: Actor, person: PingIDUser
) -> None:
    with time_machine.travel(NOW, tick=False):
        session, secret, _ = totp_pairing_start(actor=actor, user=person)
        code = pyotp.TOTP(secret).now()
        totp_pairing_finish(actor=actor, session=session, otp=code)
        result = otp_verify(actor=client_actor, user=person, otp=code)

    assert not result.accepted


def test_totp_pairing_second_device_is_secondary(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    make_device()
    with time_machine.travel(NOW, tick=False):
        session, secret, _ = totp_pairing_start(actor=actor, user=person)
        device = totp_pairing_finish(
            actor=actor, session=session, otp=pyotp.TOTP(secret).now()
        )

    assert device.role == DeviceRole.SECONDARY
    assert device.order == 1


def test_totp_pairing_wrong_code_counts_and_voids(
    actor: Actor, person: PingIDUser, settings: Any
) -> None:
    settings.DEVICE_PAIRING_MAX_ATTEMPTS = 2
    session, secret, _ = totp_pairing_start(actor=actor, user=person)

    with pytest.raises(ServiceError) as first:
        totp_pairing_finish(actor=actor, session=session, otp="000000")
    with pytest.raises(ServiceError) as second:
        totp_pairing_finish(actor=actor, session=session, otp="000000")
    with pytest.raises(ServiceError) as third:
        totp_pairing_finish(actor=actor, session=session, otp=pyotp.TOTP(secret).now())

    assert first.value.field == "otp"
    assert "1 try left" in first.value.message
    assert second.value.code == "pairing_expired"
    assert third.value.code == "pairing_expired"
    assert not Device.objects.exists()
    failures = ActivityEvent.objects.filter(outcome=Outcome.FAILURE)
    assert failures.count() == 2


def test_totp_pairing_expires(actor: Actor, person: PingIDUser, settings: Any) -> None:
    settings.DEVICE_PAIRING_SECONDS = 600
    with time_machine.travel(NOW, tick=False):
        session, secret, _ = totp_pairing_start(actor=actor, user=person)
    later = NOW + timedelta(seconds=600)

    with time_machine.travel(later, tick=False), pytest.raises(ServiceError) as caught:
        totp_pairing_finish(actor=actor, session=session, otp=pyotp.TOTP(secret).now())

    assert caught.value.code == "pairing_expired"


def test_totp_pairing_finished_twice_is_conflict(
    actor: Actor, person: PingIDUser
) -> None:
    with time_machine.travel(NOW, tick=False):
        session, secret, _ = totp_pairing_start(actor=actor, user=person)
        code = pyotp.TOTP(secret).now()
        totp_pairing_finish(actor=actor, session=session, otp=code)
        with pytest.raises(ConflictError):
            totp_pairing_finish(actor=actor, session=session, otp=code)

    assert Device.objects.count() == 1


def test_email_pairing_with_mailed_code(
    actor: Actor,
    person: PingIDUser,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        session = email_pairing_start(actor=actor, user=person, email="a@example.com")
    message = mail.outbox[0]
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None

    device = email_pairing_finish(actor=actor, session=session, otp=found.group(1))

    assert message.to == ["a@example.com"]
    assert device.type == DeviceType.EMAIL
    assert device.email == "a@example.com"
    assert device.display_id == "a@example.com"


def test_email_pairing_wrong_code(actor: Actor, person: PingIDUser) -> None:
    session = email_pairing_start(actor=actor, user=person, email="a@example.com")

    with pytest.raises(ServiceError) as caught:
        email_pairing_finish(actor=actor, session=session, otp="not-it")

    assert caught.value.field == "otp"
    assert not Device.objects.exists()


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@b@c"])
def test_email_pairing_rejects_invalid_address(
    actor: Actor, person: PingIDUser, email: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        email_pairing_start(actor=actor, user=person, email=email)

    assert caught.value.field == "email"


def test_pairing_rejects_suspended_user(actor: Actor, person: PingIDUser) -> None:
    with time_machine.travel(NOW, tick=False):
        session, secret, _ = totp_pairing_start(actor=actor, user=person)
        person.status = UserStatus.SUSPENDED
        person.save()
        with pytest.raises(ServiceError) as caught:
            totp_pairing_finish(
                actor=actor, session=session, otp=pyotp.TOTP(secret).now()
            )

    assert caught.value.code == "user_suspended"
    assert not Device.objects.exists()
