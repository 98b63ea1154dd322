from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from activity.models import ActivityEvent
from devices.models import ActivationCode, Device, DeviceRole
from devices.services import BypassRequest, device_lost_recover
from pingid_portal.actors import Actor
from pingid_portal.errors import ServiceError
from users.models import PingIDUser, UserService, UserStatus

pytestmark = pytest.mark.django_db


def _bypass(hours: int = 4) -> BypassRequest:
    return BypassRequest(
        until=timezone.now() + timedelta(hours=hours), reason="phone lost on a trip"
    )


def _nothing_changed(person: PingIDUser, device: Device) -> None:
    person.refresh_from_db()
    assert Device.objects.filter(pk=device.pk).exists()
    assert person.status == UserStatus.ACTIVE
    assert not UserService.objects.filter(
        user=person, bypass_until__isnull=False
    ).exists()
    assert not ActivationCode.objects.exists()
    assert not ActivityEvent.objects.exists()


def test_lost_flow_runs_every_step(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    result = device_lost_recover(
        actor=actor, device=device, bypass=_bypass(), issue_code=True, code_hours=24
    )

    person.refresh_from_db()
    assert not Device.objects.filter(pk=device.pk).exists()
    assert all(row.is_bypassed() for row in UserService.objects.filter(user=person))
    assert result.code is not None and len(result.code) == 12
    assert result.activation is not None
    assert person.status == UserStatus.PENDING_ACTIVATION
    actions = list(
        ActivityEvent.objects.order_by("id").values_list("action", flat=True)
    )
    assert actions == ["device.unpair", "user.bypass", "device.activation_code_issue"]


def test_lost_flow_only_unpairs(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    lost = make_device()
    spare = make_device()

    result = device_lost_recover(actor=actor, device=lost)

    spare.refresh_from_db()
    assert result.promoted == spare
    assert spare.role == DeviceRole.PRIMARY
    assert result.code is None
    assert not result.bypassed
    assert list(ActivityEvent.objects.values_list("action", flat=True)) == [
        "device.unpair"
    ]


def test_lost_flow_rolls_back_when_code_step_fails(
    actor: Actor,
    person: PingIDUser,
    make_device: Callable[..., Device],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    device = make_device()

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("injected failure")

    monkeypatch.setattr("devices.services.lost.activation_code_issue", broken)

    with pytest.raises(RuntimeError):
        device_lost_recover(
            actor=actor, device=device, bypass=_bypass(), issue_code=True
        )

    _nothing_changed(person, device)


def test_lost_flow_rolls_back_when_bypass_step_fails(
    actor: Actor,
    person: PingIDUser,
    make_device: Callable[..., Device],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    device = make_device()

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("injected failure")

    monkeypatch.setattr("users.services.user_bypass", broken)

    with pytest.raises(RuntimeError):
        device_lost_recover(
            actor=actor, device=device, bypass=_bypass(), issue_code=True
        )

    _nothing_changed(person, device)


def test_lost_flow_bypass_over_cap_changes_nothing(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    with pytest.raises(ServiceError) as caught:
        device_lost_recover(actor=actor, device=device, bypass=_bypass(hours=24 * 30))

    assert caught.value.field == "until"
    _nothing_changed(person, device)


def test_lost_flow_invalid_code_hours_changes_nothing(
    actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    device = make_device()

    with pytest.raises(ServiceError) as caught:
        device_lost_recover(
            actor=actor, device=device, bypass=_bypass(), issue_code=True, code_hours=0
        )

    assert caught.value.field == "hours"
    _nothing_changed(person, device)
