from __future__ import annotations

import pytest

from accounts.models import Organization
from devices import demo
from devices.models import Device, DeviceRole, DeviceType
from tests.factories import PingIDUserFactory
from users.models import UserStatus

pytestmark = pytest.mark.django_db


def test_demo_seeds_every_type_once(organization: Organization) -> None:
    demo.seed(organization)
    count = Device.objects.count()
    demo.seed(organization)

    assert Device.objects.count() == count
    assert set(Device.objects.values_list("type", flat=True)) >= {
        DeviceType.IPHONE,
        DeviceType.ANDROID,
        DeviceType.AUTHENTICATOR_APP,
        DeviceType.SMS,
        DeviceType.EMAIL,
    }
    assert Device.objects.filter(blocked=True).exists()
    for user_id in Device.objects.values_list("user_id", flat=True).distinct():
        primaries = Device.objects.filter(user_id=user_id, role=DeviceRole.PRIMARY)
        assert primaries.count() == 1


def test_demo_leaves_users_without_device_alone(organization: Organization) -> None:
    waiting = PingIDUserFactory(
        organization=organization, status=UserStatus.PENDING_CHANGE_DEVICE
    )
    active = PingIDUserFactory(organization=organization, status=UserStatus.ACTIVE)

    demo.seed(organization)

    assert not waiting.devices.exists()
    assert active.devices.exists()
