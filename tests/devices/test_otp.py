from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied

from activity.models import ActivityEvent, Outcome
from devices.models import Device, DeviceType, OtpState
from devices.services import (
    OtpOutcome,
    email_otp_send,
    otp_unlock,
    otp_verify,
)
from devices.services.totp import totp_code, totp_match
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError
from tests.factories import PingIDUserFactory
from users.models import PingIDUser

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, 15, tzinfo=UTC)
SECRET = pyotp.random_base32()

# RFC 6238 appendix B: the seeds are ASCII "1234567890" repeated to the key size.
RFC_SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC_VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


def _b32(seed: bytes) -> str:
    import base64

    return base64.b32encode(seed).decode()


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), RFC_VECTORS)
def test_rfc6238_vectors(at: int, sha1: str, sha256: str, sha512: str) -> None:
    expected = {"sha1": sha1, "sha256": sha256, "sha512": sha512}
    for name, seed in RFC_SEEDS.items():
        digest = getattr(hashlib, name)
        code = totp_code(_b32(seed), at, digits=8, digest=digest)
        assert code == expected[name], name
        assert totp_match(_b32(seed), expected[name], at, digits=8, digest=digest) == (
            at // 30
        )


@pytest.fixture
def app(make_device: Callable[..., Device]) -> Device:
    return make_device(type=DeviceType.AUTHENTICATOR_APP, totp_secret=SECRET)


def _code(at: datetime, secret: str = SECRET) -> str:
    return totp_code(secret, at.timestamp())


def test_secret_is_encrypted_at_rest(app: Device) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM devices_device WHERE id = %s", [app.pk])
        stored = cursor.fetchone()[0]
    assert SECRET not in stored
    app.refresh_from_db()
    assert app.totp_secret == SECRET


def test_current_code_is_accepted(
    client_actor: Actor, person: PingIDUser, app: Device
) -> None:
    with time_machine.travel(NOW, tick=False):
        result = otp_verify(actor=client_actor, user=person, otp=_code(NOW))

    assert result.accepted
    assert result.device == app
    app.refresh_from_db()
    assert app.last_used_at == NOW
    event = ActivityEvent.objects.get()
    assert (event.action, event.outcome) == ("device.otp_verify", Outcome.SUCCESS)


@pytest.mark.parametrize("offset", [-30, 30])
def test_one_step_of_drift_is_accepted(
    client_actor: Actor, person: PingIDUser, app: Device, offset: int
) -> None:
    with time_machine.travel(NOW, tick=False):
        otp = _code(NOW + timedelta(seconds=offset))
        result = otp_verify(actor=client_actor, user=person, otp=otp)

    assert result.accepted


@pytest.mark.parametrize("offset", [-60, 60])
def test_code_two_steps_away_is_rejected(
    client_actor: Actor, person: PingIDUser, app: Device, offset: int
) -> None:
    with time_machine.travel(NOW, tick=False):
        otp = _code(NOW + timedelta(seconds=offset))
        result = otp_verify(actor=client_actor, user=person, otp=otp)

    assert result.outcome == OtpOutcome.INVALID
    assert result.failure_count == 1


def test_replayed_code_is_rejected(
    client_actor: Actor, person: PingIDUser, app: Device
) -> None:
    otp = _code(NOW)
    with time_machine.travel(NOW, tick=False):
        first = otp_verify(actor=client_actor, user=person, otp=otp)
    with time_machine.travel(NOW + timedelta(seconds=20), tick=False):
        second = otp_verify(actor=client_actor, user=person, otp=otp)

    assert first.accepted
    assert second.outcome == OtpOutcome.REPLAYED
    assert second.failure_count == 1


def test_older_step_after_newer_is_rejected(
    client_actor: Actor, person: PingIDUser, app: Device
) -> None:
    with time_machine.travel(NOW, tick=False):
        newer = otp_verify(
            actor=client_actor, user=person, otp=_code(NOW + timedelta(seconds=30))
        )
        older = otp_verify(actor=client_actor, user=person, otp=_code(NOW))

    assert newer.accepted
    assert older.outcome == OtpOutcome.REPLAYED


def test_failures_count_per_attempt_not_per_device(
    client_actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    for _ in range(3):
        make_device(
            type=DeviceType.AUTHENTICATOR_APP, totp_secret=pyotp.random_base32()
        )

    with time_machine.travel(NOW, tick=False):
        result = otp_verify(actor=client_actor, user=person, otp="000000")

    assert result.failure_count == 1
    assert OtpState.objects.get(user=person).failure_count == 1


def test_lockout_rejects_valid_codes_until_time_passes(
    client_actor: Actor, person: PingIDUser, app: Device, settings: object
) -> None:
    settings.OTP_MAX_FAILURES = 3  # type: ignore[attr-defined]
    settings.OTP_LOCKOUT_SECONDS = 600  # type: ignore[attr-defined]
    with time_machine.travel(NOW, tick=False):
        results = [
            otp_verify(actor=client_actor, user=person, otp="000000") for _ in range(3)
        ]
        locked = otp_verify(actor=client_actor, user=person, otp=_code(NOW))

    assert results[-1].locked_until == NOW + timedelta(seconds=600)
    assert locked.outcome == OtpOutcome.LOCKED
    assert not locked.accepted
    assert ActivityEvent.objects.filter(outcome=Outcome.DENIED).count() == 1

    later = NOW + timedelta(seconds=600)
    with time_machine.travel(later, tick=False):
        unlocked = otp_verify(actor=client_actor, user=person, otp=_code(later))
    assert unlocked.accepted
    assert OtpState.objects.get(user=person).failure_count == 0


def test_administrator_unlocks(
    client_actor: Actor, actor: Actor, person: PingIDUser, app: Device, settings: object
) -> None:
    settings.OTP_MAX_FAILURES = 2  # type: ignore[attr-defined]
    with time_machine.travel(NOW, tick=False):
        otp_verify(actor=client_actor, user=person, otp="000000")
        otp_verify(actor=client_actor, user=person, otp="000000")
        otp_unlock(actor=actor, user=person)
        result = otp_verify(actor=client_actor, user=person, otp=_code(NOW))

    assert result.accepted
    assert ActivityEvent.objects.filter(action="device.otp_unlock").count() == 1


def test_unlock_when_not_locked_is_conflict(actor: Actor, person: PingIDUser) -> None:
    with pytest.raises(ConflictError):
        otp_unlock(actor=actor, user=person)


def test_success_does_not_reset_other_users_counter(
    client_actor: Actor,
    person: PingIDUser,
    app: Device,
    make_device: Callable[..., Device],
) -> None:
    other = PingIDUserFactory(organization=person.organization, username="bob")
    make_device(user=other, type=DeviceType.AUTHENTICATOR_APP, totp_secret=SECRET)

    with time_machine.travel(NOW, tick=False):
        otp_verify(actor=client_actor, user=other, otp="000000")
        otp_verify(actor=client_actor, user=other, otp="000000")
        mine = otp_verify(actor=client_actor, user=person, otp=_code(NOW))

    assert mine.accepted
    assert OtpState.objects.get(user=other).failure_count == 2


def test_success_resets_own_counter(
    client_actor: Actor, person: PingIDUser, app: Device
) -> None:
    with time_machine.travel(NOW, tick=False):
        otp_verify(actor=client_actor, user=person, otp="000000")
        otp_verify(actor=client_actor, user=person, otp=_code(NOW))

    assert OtpState.objects.get(user=person).failure_count == 0


def test_blocked_device_code_is_rejected(
    client_actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    make_device(type=DeviceType.AUTHENTICATOR_APP, totp_secret=SECRET, blocked=True)

    with time_machine.travel(NOW, tick=False):
        result = otp_verify(actor=client_actor, user=person, otp=_code(NOW))

    assert result.outcome == OtpOutcome.NO_DEVICE


def test_named_device_only_checks_that_device(
    client_actor: Actor,
    person: PingIDUser,
    app: Device,
    make_device: Callable[..., Device],
) -> None:
    other = make_device(
        type=DeviceType.AUTHENTICATOR_APP, totp_secret=pyotp.random_base32()
    )

    with time_machine.travel(NOW, tick=False):
        result = otp_verify(
            actor=client_actor, user=person, otp=_code(NOW), device=other
        )

    assert result.outcome == OtpOutcome.INVALID


def test_administrator_may_not_verify(
    actor: Actor, person: PingIDUser, app: Device
) -> None:
    with pytest.raises(PermissionDenied):
        otp_verify(actor=actor, user=person, otp=_code(NOW))


def test_email_otp_is_accepted_once(
    client_actor: Actor,
    person: PingIDUser,
    make_device: Callable[..., Device],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    device = make_device(type=DeviceType.EMAIL, email="alice@example.com")

    with time_machine.travel(NOW, tick=False):
        _send(client_actor, person, device, django_capture_on_commit_callbacks)
        code = _mailed_code()
        first = otp_verify(actor=client_actor, user=person, otp=code)
        second = otp_verify(actor=client_actor, user=person, otp=code)

    assert mail.outbox[0].to == ["alice@example.com"]
    assert first.accepted
    assert first.device == device
    assert second.outcome == OtpOutcome.INVALID


def test_email_otp_expires(
    client_actor: Actor,
    person: PingIDUser,
    make_device: Callable[..., Device],
    django_capture_on_commit_callbacks: Callable[..., Any],
    settings: object,
) -> None:
    settings.EMAIL_OTP_VALIDITY_SECONDS = 300  # type: ignore[attr-defined]
    device = make_device(type=DeviceType.EMAIL, email="alice@example.com")
    with time_machine.travel(NOW, tick=False):
        _send(client_actor, person, device, django_capture_on_commit_callbacks)
    code = _mailed_code()

    with time_machine.travel(NOW + timedelta(seconds=300), tick=False):
        result = otp_verify(actor=client_actor, user=person, otp=code)

    assert result.outcome == OtpOutcome.INVALID


def test_new_email_otp_voids_older(
    client_actor: Actor,
    person: PingIDUser,
    make_device: Callable[..., Device],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    device = make_device(type=DeviceType.EMAIL, email="alice@example.com")
    with time_machine.travel(NOW, tick=False):
        _send(client_actor, person, device, django_capture_on_commit_callbacks)
        old = _mailed_code()
        _send(client_actor, person, device, django_capture_on_commit_callbacks)
        new = _mailed_code()
        if old == new:
            pytest.skip("both random codes were equal")
        result_old = otp_verify(actor=client_actor, user=person, otp=old)
        result_new = otp_verify(actor=client_actor, user=person, otp=new)

    assert not result_old.accepted
    assert result_new.accepted


def _send(
    actor: Actor, user: PingIDUser, device: Device, capture: Callable[..., Any]
) -> None:
    with capture(execute=True):
        email_otp_send(actor=actor, user=user, device=device)


def _mailed_code() -> str:
    import re

    found = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)
    assert found is not None
    return found.group(1)
