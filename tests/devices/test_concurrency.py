"""Two administrators acting on the same device at the same moment.

These tests run real threads with their own database connections, so they need
PostgreSQL's row locks. On SQLite, the sequential case in test_views covers the
same rule.
"""

from __future__ import annotations

from collections.abc import Callable

import pyotp
import pytest
from django.db import connection

from accounts.models import Membership
from activity.models import ActivityEvent
from devices.models import Device, DeviceRole
from devices.services import device_unpair, otp_verify
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError
from tests.concurrency import run_together
from users.models import PingIDUser

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Row-lock races need PostgreSQL: set DATABASE_URL to run them.")


def test_two_unpairs_one_succeeds_one_is_told(
    help_desk: Membership,
    global_admin: Membership,
    make_device: Callable[..., Device],
) -> None:
    device = make_device()
    spare = make_device()
    first, second = Actor.for_membership(help_desk), Actor.for_membership(global_admin)

    results = run_together(
        lambda: device_unpair(actor=first, device=device, reason="lost"),
        lambda: device_unpair(actor=second, device=device, reason="lost"),
    )

    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(conflicts) == 1
    assert conflicts[0].code == "already_unpaired"
    assert [r for r in results if not isinstance(r, ConflictError)] == [spare]
    assert ActivityEvent.objects.filter(action="device.unpair").count() == 1
    spare.refresh_from_db()
    assert spare.role == DeviceRole.PRIMARY


def test_parallel_wrong_codes_all_count(
    client_actor: Actor, person: PingIDUser, make_device: Callable[..., Device]
) -> None:
    from devices.models import DeviceType, OtpState

    make_device(type=DeviceType.AUTHENTICATOR_APP, totp_secret=pyotp.random_base32())

    results = run_together(
        *[
            (lambda: otp_verify(actor=client_actor, user=person, otp="000000"))
            for _ in range(4)
        ]
    )

    assert [getattr(r, "outcome", r) for r in results] == ["invalid"] * 4
    assert OtpState.objects.get(user=person).failure_count == 4
