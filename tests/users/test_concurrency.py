"""Two administrators acting on the same PingID user at the same moment.

These tests run real threads with their own database connections, so they need
PostgreSQL's row locks; on SQLite the interleaved cases in test_services cover
the same rules.
"""

from __future__ import annotations

import pytest
from django.db import connection

from activity.models import ActivityEvent
from pingid_portal.actors import Actor
from pingid_portal.errors import ConflictError
from tests.concurrency import run_together
from tests.factories import PingIDUserFactory
from users.models import PingIDUser
from users.services import user_remove, user_suspend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Row-lock races need PostgreSQL: set DATABASE_URL to run them.")


def test_two_removes_one_succeeds_one_conflicts(
    admin_actor: Actor, help_desk_actor: Actor, organization: object
) -> None:
    user = PingIDUserFactory(organization=organization, username="dora")

    results = run_together(
        lambda: user_remove(actor=admin_actor, user=user, reason="first"),
        lambda: user_remove(actor=help_desk_actor, user=user, reason="second"),
    )

    conflicts = [result for result in results if isinstance(result, ConflictError)]
    assert len(conflicts) == 1
    assert results.count(None) == 1
    assert conflicts[0].code == "user_removed"
    assert not PingIDUser.objects.filter(pk=user.pk).exists()
    assert ActivityEvent.objects.filter(action="user.remove").count() == 1


def test_disable_and_remove_both_get_clear_answers(
    admin_actor: Actor, help_desk_actor: Actor, organization: object
) -> None:
    user = PingIDUserFactory(organization=organization, username="edgar")

    results = run_together(
        lambda: user_suspend(actor=help_desk_actor, user=user, reason="Stolen"),
        lambda: user_remove(actor=admin_actor, user=user, reason="Left"),
    )

    suspend_result, remove_result = results
    assert remove_result is None
    assert not PingIDUser.objects.filter(pk=user.pk).exists()
    actions = list(
        ActivityEvent.objects.order_by("id").values_list("action", flat=True)
    )
    if isinstance(suspend_result, ConflictError):
        assert suspend_result.code == "user_removed"
        assert actions == ["user.remove"]
    else:
        assert isinstance(suspend_result, PingIDUser)
        assert actions == ["user.suspend", "user.remove"]
