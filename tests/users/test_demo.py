from __future__ import annotations

import pytest

from accounts.models import Organization
from users import demo
from users.models import PingIDUser, UserService, UserStatus

pytestmark = pytest.mark.django_db


def test_demo_seed_varied_and_idempotent(organization: Organization) -> None:
    demo.seed(organization)
    first = list(
        PingIDUser.objects.order_by("username_key").values_list("username", "status")
    )
    demo.seed(organization)

    assert len(first) == demo.DEMO_USER_COUNT
    assert PingIDUser.objects.count() == demo.DEMO_USER_COUNT
    statuses = {status for _, status in first}
    assert statuses == set(UserStatus.values)
    assert UserService.objects.filter(bypass_until__isnull=False).exists()
    assert PingIDUser.objects.filter(username="  two  spaces  ").exists()
