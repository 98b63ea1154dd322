from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Membership
from activity.models import ActivityEvent
from devices.models import Device, DeviceRole
from devices.services import device_unpair, device_unpair_all
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from users.models import PingIDUser, UserStatus

pytestmark = pytest.mark.django_db


def test_unpair_last_device_sets_pending_change_device(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    promoted = device_unpair(actor=actor, device=device, reason="lost")

    person.refresh_from_db()
    assert promoted is None
    assert not Device.objects.filter(pk=device.pk).exists()
    assert person.status == UserStatus.PENDING_CHANGE_DEVICE


def test_unpair_primary_promotes_next_in_order(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    primary = make_device(order=0)
    third = make_device(order=2)
    second = make_device(order=1)

    promoted = device_unpair(actor=actor, device=primary, reason="damaged")

    assert promoted == second
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.role == DeviceRole.PRIMARY
    assert third.role == DeviceRole.SECONDARY
    assert [second.order, third.order] == [0, 1]
    person.refresh_from_db()
    assert person.status == UserStatus.ACTIVE


def test_unpair_primary_skips_blocked_device(
    actor: Actor, make_device: Callable[..., Device]
) -> None:
    primary = make_device(order=0)
    blocked = make_device(order=1, blocked=True)
    usable = make_device(order=2)

    promoted = device_unpair(actor=actor, device=primary, reason="lost")

    assert promoted == usable
    blocked.refresh_from_db()
    assert blocked.role == DeviceRole.SECONDARY


def test_unpair_secondary_keeps_primary(
    actor: Actor, make_device: Callable[..., Device]
) -> None:
    primary = make_device()
    secondary = make_device()

    promoted = device_unpair(actor=actor, device=secondary, reason="replaced")

    assert promoted is None
    primary.refresh_from_db()
    assert primary.role == DeviceRole.PRIMARY


def test_unpair_records_one_event(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    device_unpair(actor=actor, device=device, reason="lost", note="left in a taxi")

    event = ActivityEvent.objects.get()
    assert event.action == "device.unpair"
    assert event.reason == "lost"
    assert event.message == "left in a taxi"
    assert event.device_id == str(device.pk)
    assert event.pingid_user_id == person.pk
    assert event.after["user_status"] == UserStatus.PENDING_CHANGE_DEVICE


def test_unpair_twice_is_conflict_without_second_event(
    actor: Actor, make_device: Callable[..., Device]
) -> None:
    device = make_device()
    device_unpair(actor=actor, device=device, reason="lost")

    with pytest.raises(ConflictError) as caught:
        device_unpair(actor=actor, device=device, reason="lost")

    assert caught.value.code == "already_unpaired"
    assert "already unpaired" in caught.value.message
    assert ActivityEvent.objects.filter(action="device.unpair").count() == 1


def test_unpair_rejects_unknown_reason(
    actor: Actor, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    with pytest.raises(ServiceError) as caught:
        device_unpair(actor=actor, device=device, reason="stolen?")

    assert caught.value.field == "reason"
    assert Device.objects.filter(pk=device.pk).exists()


def test_unpair_requires_device_manage(
    auditor: Membership, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    with pytest.raises(PermissionDenied):
        device_unpair(actor=Actor.for_membership(auditor), device=device, reason="lost")

    assert Device.objects.filter(pk=device.pk).exists()


def test_unpair_other_organization_device_is_conflict(
    outsider: Membership, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    with pytest.raises(ConflictError):
        device_unpair(
            actor=Actor.for_membership(outsider), device=device, reason="lost"
        )

    assert Device.objects.filter(pk=device.pk).exists()


def test_unpair_all_removes_every_device(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    make_device()
    make_device()
    make_device(blocked=True)
    other_users_device = make_device(user=_other_user(person))

    count = device_unpair_all(actor=actor, user=person, reason="other")

    person.refresh_from_db()
    assert count == 3
    assert not person.devices.exists()
    assert person.status == UserStatus.PENDING_CHANGE_DEVICE
    assert Device.objects.filter(pk=other_users_device.pk).exists()
    event = ActivityEvent.objects.get()
    assert event.action == "device.unpair_all"
    assert len(event.before["devices"]) == 3


def test_unpair_all_without_devices_is_conflict(
    actor: Actor, person: PingIDUser
) -> None:
    with pytest.raises(ConflictError):
        device_unpair_all(actor=actor, user=person, reason="lost")

    assert not ActivityEvent.objects.exists()


def test_unpair_keeps_suspended_status(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()
    person.status = UserStatus.SUSPENDED
    person.save()

    device_unpair(actor=actor, device=device, reason="lost")

    person.refresh_from_db()
    assert person.status == UserStatus.SUSPENDED


def _other_user(person: PingIDUser) -> PingIDUser:
    from tests.factories import PingIDUserFactory

    return PingIDUserFactory(organization=person.organization, username="bob")
