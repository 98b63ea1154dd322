from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import Membership, Organization
from devices.models import Device, DeviceRole
from pingid_portal.actors import Actor
from tests.factories import DeviceFactory, PingIDUserFactory
from users.models import PingIDUser


@pytest.fixture
def actor(help_desk: Membership) -> Actor:
    return Actor.for_membership(help_desk, ip_address="127.0.0.1")


@pytest.fixture
def client_actor(organization: Organization) -> Actor:
    """The PingID API's caller: allowed to authenticate."""
    return Actor.system(organization, display="pingid api test")


@pytest.fixture
def person(organization: Organization) -> PingIDUser:
    return PingIDUserFactory(organization=organization, username="alice")


@pytest.fixture
def make_device(person: PingIDUser) -> Callable[..., Device]:
    """Add a device to `person` (or `user=`), primary when it is the first."""

    def make(**fields: object) -> Device:
        user = fields.pop("user", person)
        assert isinstance(user, PingIDUser)
        first = not user.devices.exists()
        fields.setdefault("role", DeviceRole.PRIMARY if first else DeviceRole.SECONDARY)
        fields.setdefault("order", user.devices.count())
        return DeviceFactory(user=user, **fields)

    return make
