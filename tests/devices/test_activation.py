from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import Organization
from activity.models import ActivityEvent
from devices.models import ActivationCode, Device, DeviceRole, DeviceType, PairingStatus
from devices.services import (
    activation_code_claim,
    activation_code_issue,
    activation_code_pair,
    activation_code_status,
)
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from users.models import PingIDUser, UserStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_issue_returns_twelve_digits_stored_hashed(
    actor: Actor, person: PingIDUser
) -> None:
    activation, code = activation_code_issue(actor=actor, user=person)

    assert len(code) == 12
    assert code.isdigit()
    stored = ActivationCode.objects.get()
    assert code not in stored.code_hash
    assert stored.expires_at - stored.created_at == timedelta(hours=48)
    assert ActivityEvent.objects.get().action == "device.activation_code_issue"
    assert code not in str(ActivityEvent.objects.get().after)


def test_issue_for_user_without_device_sets_pending_activation(
    actor: Actor, person: PingIDUser
) -> None:
    activation_code_issue(actor=actor, user=person)

    person.refresh_from_db()
    assert person.status == UserStatus.PENDING_ACTIVATION


def test_issue_for_user_with_device_keeps_status(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    make_device()

    activation_code_issue(actor=actor, user=person)

    person.refresh_from_db()
    assert person.status == UserStatus.ACTIVE


@pytest.mark.parametrize("hours", [0, 337, -1, "abc", "2.5", None])
def test_issue_rejects_invalid_hours(
    actor: Actor, person: PingIDUser, hours: object
) -> None:
    with pytest.raises(ServiceError) as caught:
        activation_code_issue(actor=actor, user=person, hours=hours)

    assert caught.value.field == "hours"
    assert not ActivationCode.objects.exists()


@pytest.mark.parametrize("hours", [1, 336, "24"])
def test_issue_accepts_hours_in_range(
    actor: Actor, person: PingIDUser, hours: object
) -> None:
    activation, _ = activation_code_issue(actor=actor, user=person, hours=hours)

    assert activation.expires_at - activation.created_at == timedelta(
        hours=int(str(hours))
    )


def test_issue_rejects_suspended_user(actor: Actor, person: PingIDUser) -> None:
    person.status = UserStatus.SUSPENDED
    person.save()

    with pytest.raises(ServiceError):
        activation_code_issue(actor=actor, user=person)

    assert not ActivationCode.objects.exists()


def test_status_follows_the_pairing(
    actor: Actor, organization: Organization, person: PingIDUser
) -> None:
    _, code = activation_code_issue(actor=actor, user=person)

    def status() -> str:
        return activation_code_status(organization=organization, code=code).status

    assert status() == PairingStatus.NOT_CLAIMED
    activation_code_claim(actor=actor, code=code)
    assert status() == PairingStatus.VERIFIED
    device = activation_code_pair(
        actor=actor, code=code, device_type=DeviceType.ANDROID, model="Pixel 8"
    )
    assert status() == PairingStatus.PAIRED
    assert activation_code_status(organization=organization, code=code).device_id == (
        device.pk
    )
    device.last_used_at = NOW
    device.save()
    assert status() == PairingStatus.SUCCESS


def test_status_of_unknown_code_is_not_exist(organization: Organization) -> None:
    for code in ["123456789012", "12", "not a code", ""]:
        state = activation_code_status(organization=organization, code=code)
        assert state.status == PairingStatus.NOT_EXIST


def test_code_of_other_organization_is_not_exist(
    actor: Actor, person: PingIDUser, other_organization: Organization
) -> None:
    _, code = activation_code_issue(actor=actor, user=person)

    state = activation_code_status(organization=other_organization, code=code)

    assert state.status == PairingStatus.NOT_EXIST


def test_code_pairs_once(actor: Actor, person: PingIDUser) -> None:
    _, code = activation_code_issue(actor=actor, user=person)

    device = activation_code_pair(actor=actor, code=code, device_type=DeviceType.IPHONE)
    with pytest.raises(ServiceError) as caught:
        activation_code_pair(actor=actor, code=code, device_type=DeviceType.IPHONE)

    assert caught.value.code == "activation_code_invalid"
    assert Device.objects.get() == device
    assert device.role == DeviceRole.PRIMARY
    person.refresh_from_db()
    assert person.status == UserStatus.ACTIVE


def test_code_accepts_grouped_digits(actor: Actor, person: PingIDUser) -> None:
    _, code = activation_code_issue(actor=actor, user=person)
    grouped = f"{code[:4]} {code[4:8]}-{code[8:]}"

    device = activation_code_pair(
        actor=actor, code=grouped, device_type=DeviceType.IPHONE
    )

    assert device.user == person


def test_code_expires_at_its_instant(actor: Actor, person: PingIDUser) -> None:
    with time_machine.travel(NOW, tick=False):
        _, code = activation_code_issue(actor=actor, user=person, hours=2)
    organization = person.organization

    with time_machine.travel(
        NOW + timedelta(hours=2) - timedelta(microseconds=1), tick=False
    ):
        state = activation_code_status(organization=organization, code=code)
        assert state.status == PairingStatus.NOT_CLAIMED
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        state = activation_code_status(organization=organization, code=code)
        assert state.status == PairingStatus.NOT_EXIST
        with pytest.raises(ServiceError):
            activation_code_pair(actor=actor, code=code, device_type=DeviceType.IPHONE)
    assert not Device.objects.exists()


def test_new_code_revokes_older_one(actor: Actor, person: PingIDUser) -> None:
    _, old = activation_code_issue(actor=actor, user=person)
    _, new = activation_code_issue(actor=actor, user=person)

    organization = person.organization
    assert (
        activation_code_status(organization=organization, code=old).status
        == PairingStatus.NOT_EXIST
    )
    assert (
        activation_code_status(organization=organization, code=new).status
        == PairingStatus.NOT_CLAIMED
    )


def test_code_for_type_rejects_other_type(actor: Actor, person: PingIDUser) -> None:
    _, code = activation_code_issue(
        actor=actor, user=person, device_type=DeviceType.DESKTOP
    )

    with pytest.raises(ServiceError) as caught:
        activation_code_pair(actor=actor, code=code, device_type=DeviceType.ANDROID)

    assert caught.value.field == "device_type"
    device = activation_code_pair(
        actor=actor, code=code, device_type=DeviceType.DESKTOP
    )
    assert device.type == DeviceType.DESKTOP


def test_issue_rejects_non_app_device_type(actor: Actor, person: PingIDUser) -> None:
    with pytest.raises(ServiceError) as caught:
        activation_code_issue(actor=actor, user=person, device_type=DeviceType.SMS)

    assert caught.value.field == "device_type"
