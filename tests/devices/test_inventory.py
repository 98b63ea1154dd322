from __future__ import annotations

from collections.abc import Callable

import pytest

from activity.models import ActivityEvent
from devices.models import Device, DeviceRole
from devices.services import (
    device_block,
    device_move,
    device_rename,
    device_reorder,
    device_set_primary,
    device_unblock,
)
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError, ServiceError
from users.models import PingIDUser

pytestmark = pytest.mark.django_db


def test_set_primary_swaps_roles(
    actor: Actor, make_device: Callable[..., Device]
) -> None:
    old = make_device()
    new = make_device()

    device_set_primary(actor=actor, device=new)

    old.refresh_from_db()
    new.refresh_from_db()
    assert new.role == DeviceRole.PRIMARY
    assert old.role == DeviceRole.SECONDARY
    assert ActivityEvent.objects.get().action == "device.set_primary"


def test_set_primary_of_primary_changes_nothing(
    actor: Actor, make_device: Callable[..., Device]
) -> None:
    primary = make_device()

    device_set_primary(actor=actor, device=primary)

    assert not ActivityEvent.objects.exists()


def test_set_primary_rejects_blocked_device(
    actor: Actor, make_device: Callable[..., Device]
) -> None:
    old = make_device()
    blocked = make_device(blocked=True)

    with pytest.raises(ServiceError):
        device_set_primary(actor=actor, device=blocked)

    old.refresh_from_db()
    assert old.role == DeviceRole.PRIMARY


def test_reorder_sets_order(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    first, second, third = make_device(), make_device(), make_device()

    device_reorder(actor=actor, user=person, device_ids=[third.pk, first.pk, second.pk])

    ordered = list(person.devices.order_by("order").values_list("pk", flat=True))
    assert ordered == [third.pk, first.pk, second.pk]
    assert ActivityEvent.objects.get().action == "device.reorder"


def test_reorder_with_stale_list_is_conflict(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    first, second = make_device(), make_device()

    with pytest.raises(ConflictError):
        device_reorder(actor=actor, user=person, device_ids=[second.pk])
    with pytest.raises(ConflictError):
        device_reorder(
            actor=actor, user=person, device_ids=[second.pk, first.pk, first.pk]
        )

    assert not ActivityEvent.objects.exists()


def test_move_puts_device_at_position(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    first, second, third = make_device(), make_device(), make_device()

    device_move(actor=actor, device=third, position=0)

    ordered = list(person.devices.order_by("order").values_list("pk", flat=True))
    assert ordered == [third.pk, first.pk, second.pk]


def test_move_rejects_position_out_of_range(
    actor: Actor, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    with pytest.raises(ServiceError) as caught:
        device_move(actor=actor, device=device, position=3)

    assert caught.value.field == "position"


def test_rename_sets_and_clears_nickname(
    actor: Actor, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    device_rename(actor=actor, device=device, nickname="  Work phone ")
    device.refresh_from_db()
    assert device.nickname == "Work phone"

    device_rename(actor=actor, device=device, nickname="")
    device.refresh_from_db()
    assert device.nickname == ""
    assert ActivityEvent.objects.filter(action="device.rename").count() == 2


@pytest.mark.parametrize("nickname", ["x" * 101, "bad\x00name", "tab\tname"])
def test_rename_rejects_invalid_nickname(
    actor: Actor, make_device: Callable[..., Device], nickname: str
) -> None:
    device = make_device(nickname="Keep")

    with pytest.raises(ServiceError) as caught:
        device_rename(actor=actor, device=device, nickname=nickname)

    assert caught.value.field == "nickname"
    device.refresh_from_db()
    assert device.nickname == "Keep"


def test_block_and_unblock(actor: Actor, make_device: Callable[..., Device]) -> None:
    device = make_device()

    device_block(actor=actor, device=device, reason="reported stolen")
    device.refresh_from_db()
    assert device.blocked
    assert device.blocked_at is not None

    device_unblock(actor=actor, device=device)
    device.refresh_from_db()
    assert not device.blocked
    assert device.blocked_at is None

    actions = list(ActivityEvent.objects.order_by("id").values_list("action", "reason"))
    assert actions == [("device.block", "reported stolen"), ("device.unblock", "")]


def test_block_twice_is_conflict(
    actor: Actor, make_device: Callable[..., Device]
) -> None:
    device = make_device(blocked=True)

    with pytest.raises(ConflictError) as caught:
        device_block(actor=actor, device=device)

    assert caught.value.code == "already_blocked"


def test_unblock_unblocked_is_conflict(
    actor: Actor, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    with pytest.raises(ConflictError) as caught:
        device_unblock(actor=actor, device=device)

    assert caught.value.code == "not_blocked"
